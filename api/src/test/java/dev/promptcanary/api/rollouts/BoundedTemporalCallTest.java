package dev.promptcanary.api.rollouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedTemporalCallTest {
  @Test
  void aCallThatAnswersInTimeGivesItsAnswer() {
    assertThat(BoundedTemporalCall.within(Duration.ofSeconds(30), () -> "answered"))
        .isEqualTo("answered");
  }

  @Test
  void aCallThatFailsInTimeThrowsItsOwnFailure() {
    StatusRuntimeException notFound = Status.NOT_FOUND.asRuntimeException();
    assertThatThrownBy(
            () ->
                BoundedTemporalCall.within(
                    Duration.ofSeconds(30),
                    () -> {
                      throw notFound;
                    }))
        .isSameAs(notFound);
  }

  @Test
  void aCallPastItsBoundIsDeadlineExceededAndInterrupted() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    assertThatThrownBy(
            () ->
                BoundedTemporalCall.within(
                    Duration.ofMillis(200),
                    () -> {
                      try {
                        Thread.sleep(Duration.ofMinutes(10).toMillis());
                      } catch (InterruptedException e) {
                        interrupted.countDown();
                      }
                      return "too late";
                    }))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
              assertThat(TemporalErrors.isUnavailable(e)).isTrue();
            });
    // the call's own wait is ended, so no thread is left behind
    assertThat(interrupted.await(60, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void noTimeLeftFailsWithoutCalling() {
    assertThatThrownBy(
            () ->
                BoundedTemporalCall.within(
                    Duration.ZERO,
                    () -> {
                      throw new AssertionError("called");
                    }))
        .isInstanceOf(StatusRuntimeException.class);
  }
}
