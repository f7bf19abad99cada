package dev.promptcanary.api.resources;

import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.errors.FieldError;
import dev.promptcanary.api.errors.ValidationExceptionMapper;
import io.dropwizard.validation.BaseValidator;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything wrong with a batch, found in one pass: the field checks of Bean Validation and the
 * resource's own checks (unknown versions, duplicates) together, so a client fixes a bad batch in
 * one round trip. A batch is validated here rather than by {@code @Valid}, which would answer with
 * the field checks alone before the resource could look for the rest.
 */
final class BatchErrors {
  private static final Validator VALIDATOR = BaseValidator.newValidator();
  private static final Pattern INDEX = Pattern.compile("^[^\\[]*\\[(\\d+)]");

  private final List<FieldError> errors = new ArrayList<>();

  private BatchErrors() {}

  /** The field problems of {@code batch}; add the resource's own with {@link #add}. */
  static BatchErrors of(Object batch) {
    BatchErrors found = new BatchErrors();
    VALIDATOR.validate(batch).stream()
        .map(v -> new FieldError(ValidationExceptionMapper.jsonPath(v), v.getMessage()))
        .forEach(found.errors::add);
    return found;
  }

  /** Whether an item already has a field problem, so checks that read its fields skip it. */
  boolean hasProblemAt(String itemField) {
    return errors.stream()
        .anyMatch(e -> e.field().equals(itemField) || e.field().startsWith(itemField + "."));
  }

  void add(FieldError error) {
    errors.add(error);
  }

  List<FieldError> list() {
    return errors;
  }

  /** A 422 listing every problem, in item order, when there is any. */
  void throwIfAny() {
    if (!errors.isEmpty()) {
      List<FieldError> sorted = new ArrayList<>(errors);
      sorted.sort(
          Comparator.comparingInt(BatchErrors::itemIndex)
              .thenComparing(FieldError::field)
              .thenComparing(FieldError::message));
      throw new ApiException(422, sorted);
    }
  }

  private static int itemIndex(FieldError error) {
    Matcher m = INDEX.matcher(error.field());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }
}
