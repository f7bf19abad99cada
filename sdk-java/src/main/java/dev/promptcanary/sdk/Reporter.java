package dev.promptcanary.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.serving.BackgroundLoop;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Buffered, batched, asynchronous reporting. Each kind (observations, judgements, transcripts) has
 * a bounded queue the caller's {@code offer} never waits on (a full queue drops the item and counts
 * it) and one batch in flight, sent by one background thread and retried with jittered backoff
 * until the server answers. Retries resend the same items with the same request ids, so a batch
 * whose answer was lost counts nothing twice. A kind that keeps failing does not hold up the
 * others.
 */
final class Reporter implements AutoCloseable {
  private static final Pattern ITEM = Pattern.compile("^[a-z]+\\[(\\d+)]");

  /** One kind of report: its endpoint, the batch field, its queue and its batch in flight. */
  private final class Lane {
    final String path;
    final String field;
    final ArrayBlockingQueue<Object> queue;
    final List<Object> inFlight = new ArrayList<>();
    long nextAttemptNanos;
    int failures;

    Lane(String path, String field, int capacity) {
      this.path = path;
      this.field = field;
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    boolean idle() {
      return inFlight.isEmpty() && queue.isEmpty();
    }
  }

  private final Http http;
  private final int batchSize;
  private final Duration flushInterval;
  private final Duration maxBackoff;
  private final Lane observations;
  private final Lane judgements;
  private final Lane transcripts;
  private final List<Lane> lanes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final BackgroundLoop loop;
  private volatile boolean accepting = true;
  private volatile String lastError;

  Reporter(Http http, int capacity, int batchSize, Duration flushInterval, Duration maxBackoff) {
    this.http = http;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.maxBackoff = maxBackoff;
    this.observations = new Lane("/v1/observations", "observations", capacity);
    this.judgements = new Lane("/v1/judgements", "judgements", capacity);
    this.transcripts = new Lane("/v1/transcripts", "transcripts", capacity);
    this.lanes = List.of(observations, judgements, transcripts);
    this.loop = new BackgroundLoop("promptcanary-reporter", this::run);
    this.loop.start();
  }

  boolean observation(Observation o) {
    return offer(observations, o);
  }

  boolean judgement(Judgement j) {
    return offer(judgements, j);
  }

  boolean transcript(Transcript t) {
    return offer(transcripts, t);
  }

  private boolean offer(Lane lane, Object item) {
    if (!accepting || !lane.queue.offer(item)) {
      dropped.incrementAndGet();
      return false;
    }
    if (lane.queue.size() >= batchSize && lock.tryLock()) {
      try {
        work.signal();
      } finally {
        lock.unlock();
      }
    }
    return true;
  }

  int queued() {
    int n = 0;
    for (Lane lane : lanes) {
      n += lane.queue.size();
    }
    lock.lock();
    try {
      for (Lane lane : lanes) {
        n += lane.inFlight.size();
      }
    } finally {
      lock.unlock();
    }
    return n;
  }

  long sent() {
    return sent.get();
  }

  long duplicates() {
    return duplicates.get();
  }

  long dropped() {
    return dropped.get();
  }

  long rejected() {
    return rejected.get();
  }

  String lastError() {
    return lastError;
  }

  /** Waits until everything reported so far has been answered by the server, or {@code timeout}. */
  boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      work.signal();
      while (!lanes.stream().allMatch(Lane::idle)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        drained.awaitNanos(Math.min(left, flushInterval.toNanos()));
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (loop.running()) {
      boolean sentSomething = false;
      for (Lane lane : lanes) {
        try {
          sentSomething |= sendOne(lane);
        } catch (InterruptedException e) {
          return;
        }
      }
      lock.lock();
      try {
        if (lanes.stream().allMatch(Lane::idle)) {
          drained.signalAll();
        }
        if (!sentSomething && loop.running()) {
          work.awaitNanos(flushInterval.toNanos());
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Sends the lane's batch when it has one and its backoff has passed; true when it sent. */
  private boolean sendOne(Lane lane) throws InterruptedException {
    List<Object> batch;
    lock.lock();
    try {
      if (lane.inFlight.isEmpty()) {
        lane.queue.drainTo(lane.inFlight, batchSize);
      }
      if (lane.inFlight.isEmpty() || System.nanoTime() - lane.nextAttemptNanos < 0) {
        return false;
      }
      batch = List.copyOf(lane.inFlight);
    } finally {
      lock.unlock();
    }
    Outcome outcome = post(lane, batch);
    lock.lock();
    try {
      switch (outcome.kind) {
        case DONE -> {
          lane.inFlight.clear();
          lane.failures = 0;
        }
        case SOME_REFUSED -> {
          // The server names the refused items by index; the rest go again at once.
          List<Object> keep = new ArrayList<>();
          for (int i = 0; i < batch.size(); i++) {
            if (!outcome.refused.contains(i)) {
              keep.add(batch.get(i));
            }
          }
          rejected.addAndGet(batch.size() - keep.size());
          lane.inFlight.clear();
          lane.inFlight.addAll(keep);
        }
        case RETRY -> {
          lane.failures++;
          long backoff = Math.max(outcome.retryAfterMillis, backoffMillis(lane.failures));
          lane.nextAttemptNanos = System.nanoTime() + backoff * 1_000_000;
        }
      }
      return outcome.kind != Outcome.Kind.RETRY;
    } finally {
      lock.unlock();
    }
  }

  private long backoffMillis(int failures) {
    long full = Math.min(maxBackoff.toMillis(), 100L << Math.min(failures - 1, 20));
    return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
  }

  private record Outcome(Kind kind, Set<Integer> refused, long retryAfterMillis) {
    enum Kind {
      DONE,
      SOME_REFUSED,
      RETRY
    }

    static final Outcome DONE = new Outcome(Kind.DONE, Set.of(), 0);

    static Outcome retry(long afterMillis) {
      return new Outcome(Kind.RETRY, Set.of(), afterMillis);
    }
  }

  private Outcome post(Lane lane, List<Object> batch) throws InterruptedException {
    HttpResponse<String> reply;
    try {
      byte[] body = Json.MAPPER.writeValueAsBytes(Map.of(lane.field, batch));
      reply = http.post(lane.path, body, Duration.ofSeconds(30));
    } catch (IOException e) {
      lastError = lane.path + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
      return Outcome.retry(0);
    }
    int status = reply.statusCode();
    if (status / 100 == 2) {
      try {
        JsonNode result = Json.MAPPER.readTree(reply.body());
        sent.addAndGet(result.path("accepted").asLong());
        duplicates.addAndGet(result.path("duplicates").asLong());
      } catch (IOException unreadable) {
        sent.addAndGet(batch.size());
      }
      return Outcome.DONE;
    }
    lastError = lane.path + " answered " + status + ": " + reply.body();
    if (status == 429 || status == 408 || status >= 500) {
      long retryAfter =
          reply.headers().firstValue("Retry-After").map(Reporter::seconds).orElse(0L) * 1000;
      return Outcome.retry(retryAfter);
    }
    // Any other 4xx will not change on a retry: drop what the server names, or the whole batch.
    Set<Integer> refused = refusedItems(reply.body(), batch.size());
    if (refused.isEmpty() || refused.size() == batch.size()) {
      rejected.addAndGet(batch.size());
      return Outcome.DONE;
    }
    return new Outcome(Outcome.Kind.SOME_REFUSED, refused, 0);
  }

  private static long seconds(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** The item indexes a 4xx names in its {@code field}s ({@code observations[3].latencyMs}). */
  private static Set<Integer> refusedItems(String body, int size) {
    Set<Integer> refused = new TreeSet<>();
    try {
      JsonNode error = Json.MAPPER.readTree(body);
      List<JsonNode> problems = new ArrayList<>();
      problems.add(error);
      error.path("errors").forEach(problems::add);
      for (JsonNode problem : problems) {
        Matcher m = ITEM.matcher(problem.path("field").asText(""));
        if (m.find()) {
          int index = Integer.parseInt(m.group(1));
          if (index < size) {
            refused.add(index);
          }
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // no indexes: the whole batch is refused
    }
    return refused;
  }

  /** Stops taking reports, sends what is buffered for up to {@code timeout}, then stops. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  void close(Duration timeout) {
    accepting = false;
    try {
      flush(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.stop();
    // What could not be sent in time is lost: counted, never silent.
    lock.lock();
    try {
      for (Lane lane : lanes) {
        dropped.addAndGet(lane.queue.size() + lane.inFlight.size());
        lane.queue.clear();
        lane.inFlight.clear();
      }
    } finally {
      lock.unlock();
    }
  }
}
