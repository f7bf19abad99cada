package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.worker.TemporalFactory;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.util.Duration;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code temporal.answerWithin}, how long a start or a control waits for Temporal before its 503: 8
 * s unless configured, and only between 1 s and a minute (a bound of nothing would answer every
 * control 503, one of minutes would outlast every client's timeout).
 */
class AnswerWithinTest {
  private static final Validator VALIDATOR = Validators.newValidator();

  private static Set<String> problems(Duration answerWithin) {
    TemporalFactory temporal = new TemporalFactory();
    temporal.setAnswerWithin(answerWithin);
    return VALIDATOR.validate(temporal).stream()
        .map(v -> v.getPropertyPath() + " " + v.getMessage())
        .collect(Collectors.toSet());
  }

  @Test
  void itIsEightSecondsUnlessConfigured() {
    TemporalFactory temporal = new TemporalFactory();

    assertThat(temporal.getAnswerWithin()).isEqualTo(Duration.seconds(8));
    assertThat(VALIDATOR.validate(temporal)).extracting(ConstraintViolation::getMessage).isEmpty();
  }

  @Test
  void aBoundOutsideOneSecondToAMinuteIsRefusedNamingTheField() {
    assertThat(problems(Duration.seconds(1))).isEmpty();
    assertThat(problems(Duration.seconds(60))).isEmpty();
    assertThat(problems(Duration.milliseconds(500)))
        .singleElement()
        .asString()
        .startsWith("answerWithin must be greater than or equal to 1 SECONDS");
    assertThat(problems(Duration.minutes(2)))
        .singleElement()
        .asString()
        .startsWith("answerWithin must be less than or equal to 60 SECONDS");
  }
}
