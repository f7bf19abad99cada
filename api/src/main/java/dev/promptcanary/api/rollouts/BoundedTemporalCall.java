package dev.promptcanary.api.rollouts;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A Temporal client call of a request path that answers within a bound. The request stubs' short
 * RPC timeout does not bound every call: the SDK gives an update its own 60 s deadline and retries
 * {@code UNAVAILABLE} through it with back-off sleeps of up to 10 s, and an update that reached a
 * server whose worker is not connected waits there for the worker. So the call runs on a thread of
 * its own; the caller waits at most the bound, then the call is interrupted (which cancels its RPC
 * and ends its back-off sleep) and the caller gets {@code DEADLINE_EXCEEDED}, which {@link
 * TemporalErrors#isUnavailable} maps to a 503.
 */
final class BoundedTemporalCall {
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Idle threads end after a minute; each call is interrupted at its bound, so none piles up. */
  private static final ExecutorService CALLS =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "temporal-call-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });

  private BoundedTemporalCall() {}

  /**
   * What {@code call} returns or throws, if it does so within {@code bound}; else a {@code
   * DEADLINE_EXCEEDED} {@link StatusRuntimeException} naming the bound.
   */
  static <T> T within(Duration bound, Supplier<T> call) {
    if (bound.isNegative() || bound.isZero()) {
      throw noAnswer(bound);
    }
    Future<T> running = CALLS.submit(call::get);
    try {
      return running.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      running.cancel(true);
      throw noAnswer(bound);
    } catch (InterruptedException e) {
      running.cancel(true);
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").withCause(e).asRuntimeException();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static StatusRuntimeException noAnswer(Duration bound) {
    return Status.DEADLINE_EXCEEDED
        .withDescription("no answer from Temporal within " + bound.toMillis() + " ms")
        .asRuntimeException();
  }
}
