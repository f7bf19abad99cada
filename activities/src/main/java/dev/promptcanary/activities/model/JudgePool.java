package dev.promptcanary.activities.model;

import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live judging with backpressure: transcripts wait in a bounded queue for a fixed number of worker
 * threads, each scores one with the {@link Judge} and hands the {@link Judgement} to the sink (the
 * store). {@link #submit} never blocks: when the queue is full the transcript is dropped and
 * counted. Judge failures are counted and handed to the sink as {@link JudgeFailure}s (the
 * judge-health gate reads them), never written as scores. The judge name written is {@code
 * judgeModel/rubricVersion}, pinned for the pool's life.
 */
public final class JudgePool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JudgePool.class);

  private final Judge judge;
  private final String rubric;
  private final String judgeName;
  private final Sink sink;
  private final Clock clock;
  private final ThreadPoolExecutor executor;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong judged = new AtomicLong();
  private final AtomicLong judgeFailures = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();

  /** Where the pool's results go: scores, and attempts that gave none. */
  public interface Sink {
    void scored(List<Judgement> judgements);

    void failed(JudgeFailure failure);

    static Sink of(Consumer<List<Judgement>> scores, Consumer<JudgeFailure> failures) {
      return new Sink() {
        @Override
        public void scored(List<Judgement> judgements) {
          scores.accept(judgements);
        }

        @Override
        public void failed(JudgeFailure failure) {
          failures.accept(failure);
        }
      };
    }
  }

  /** Counts since start; {@code queued} is the queue's current length. */
  public record Stats(
      long accepted,
      long dropped,
      long judged,
      long judgeFailures,
      long writeFailures,
      int queued) {}

  public JudgePool(
      Judge judge,
      String judgeModel,
      String rubric,
      int queueSize,
      int workers,
      Sink sink,
      Clock clock) {
    if (queueSize < 1 || workers < 1) {
      throw new IllegalArgumentException("queueSize and workers must be at least 1");
    }
    this.judge = judge;
    this.rubric = rubric;
    this.judgeName = judgeName(judgeModel, rubric);
    this.sink = sink;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueSize),
            r -> {
              Thread t = new Thread(r, "judge-pool-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** The judge name judgements carry: the judge model and the rubric version. */
  public static String judgeName(String judgeModel, String rubric) {
    return judgeModel + "/" + LlmJudge.rubricVersion(rubric);
  }

  public String judgeName() {
    return judgeName;
  }

  /**
   * Queues the transcript for judging; false (and counted) when the queue is full or the pool
   * stopped.
   */
  public boolean submit(Transcript transcript) {
    pending.incrementAndGet();
    // A transcript is reported as its request is served: its arrival stands for the serving time
    // (the request's
    // observation, when there is one, has the exact time and wins).
    java.time.Instant servedAt = clock.instant();
    try {
      executor.execute(
          () -> {
            try {
              judgeOne(transcript, servedAt);
            } finally {
              pending.decrementAndGet();
            }
          });
      accepted.incrementAndGet();
      return true;
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
      return false;
    }
  }

  private void judgeOne(Transcript t, java.time.Instant servedAt) {
    JudgeScore score;
    try {
      score = judge.score(new JudgeRequest(rubric, t.input(), t.output()));
    } catch (JudgeException e) {
      LOG.warn(
          "judging request {} of {} v{} failed: {}",
          t.requestId(),
          t.prompt(),
          t.version(),
          e.getMessage());
      failed(t, servedAt, e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.warn("judging request {} failed unexpectedly", t.requestId(), e);
      failed(t, servedAt, e.toString());
      return;
    }
    try {
      sink.scored(
          List.of(
              new Judgement(
                  t.requestId(),
                  t.prompt(),
                  t.version(),
                  judgeName,
                  score.score(),
                  clock.instant(),
                  t.unit(),
                  servedAt)));
      judged.incrementAndGet();
    } catch (RuntimeException e) {
      writeFailures.incrementAndGet();
      LOG.warn("storing the judgement of request {} failed", t.requestId(), e);
    }
  }

  private void failed(Transcript t, java.time.Instant servedAt, String reason) {
    judgeFailures.incrementAndGet();
    try {
      sink.failed(
          new JudgeFailure(
              t.requestId(),
              t.prompt(),
              t.version(),
              judgeName,
              reason,
              clock.instant(),
              t.unit(),
              servedAt));
    } catch (RuntimeException e) {
      writeFailures.incrementAndGet();
      LOG.warn("storing the judge failure of request {} failed", t.requestId(), e);
    }
  }

  public Stats stats() {
    return new Stats(
        accepted.get(),
        dropped.get(),
        judged.get(),
        judgeFailures.get(),
        writeFailures.get(),
        executor.getQueue().size());
  }

  /**
   * Waits until nothing is queued or running (for tests and orderly shutdown); false on timeout.
   */
  public boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (pending.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /**
   * Stops taking transcripts, lets queued ones finish for up to 10 s, then gives up on the rest.
   */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
