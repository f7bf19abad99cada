package dev.promptcanary.activities.ingest;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.time.Instant;

/**
 * A time an app reports (served, observed, judged): from {@link #EARLIEST} to a day after now, so
 * it is a real time PostgreSQL stores and every look can compare, never year 300000 or a typo
 * decades ahead that would make a unit's first exposure wait for ever. Null passes (the field is
 * optional).
 */
@Target({
  ElementType.FIELD,
  ElementType.PARAMETER,
  ElementType.METHOD,
  ElementType.RECORD_COMPONENT
})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ReportedInstant.Validator.class)
public @interface ReportedInstant {
  Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  /** How far ahead of this node's clock a reporter's clock may be. */
  Duration MAX_AHEAD = Duration.ofDays(1);

  String message() default "must be from 2000-01-01T00:00:00Z to at most one day after now";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** The check, against the validator's clock. */
  final class Validator implements ConstraintValidator<ReportedInstant, Instant> {
    @Override
    public boolean isValid(Instant value, ConstraintValidatorContext context) {
      return value == null
          || !value.isBefore(EARLIEST) && !value.isAfter(Instant.now().plus(MAX_AHEAD));
    }
  }
}
