package dev.promptcanary.api.health;

import com.codahale.metrics.health.HealthCheck;
import dev.promptcanary.activities.model.JudgePool;

/**
 * Live judging's health: unhealthy when, since the previous check, transcripts were dropped (the
 * queue was full) or most judge calls failed; the message carries the running counts either way.
 */
public class JudgePoolHealthCheck extends HealthCheck {
  private final JudgePool pool;
  private JudgePool.Stats previous = new JudgePool.Stats(0, 0, 0, 0, 0, 0);

  public JudgePoolHealthCheck(JudgePool pool) {
    this.pool = pool;
  }

  @Override
  protected synchronized Result check() {
    JudgePool.Stats now = pool.stats();
    long dropped = now.dropped() - previous.dropped();
    long failed = now.judgeFailures() - previous.judgeFailures();
    long judged = now.judged() - previous.judged();
    previous = now;
    String counts = "judge " + pool.judgeName() + ": " + now;
    if (dropped > 0) {
      return Result.unhealthy(
          dropped + " transcripts dropped since the last check (queue full); " + counts);
    }
    if (failed > 0 && failed >= judged) {
      return Result.unhealthy(
          failed + " judge failures against " + judged + " scores since the last check; " + counts);
    }
    return Result.healthy(counts);
  }
}
