package dev.promptcanary.api.resources;

import dev.promptcanary.api.errors.ApiException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Path and query parameters arrive as strings and are read here, so a bad one is a 422 naming it
 * rather than JAX-RS's bare 404.
 */
public final class Params {
  static final String PROMPT_NAME_RULE =
      "must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";
  private static final Pattern PROMPT_NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,99}$");

  /** The largest page a list answers with. */
  static final int MAX_PAGE = 500;

  /** The instants a query may name: ones PostgreSQL and every client can represent. */
  static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private Params() {}

  /** A page of a list: at most {@code limit} items, after the first {@code offset}. */
  record Page(int limit, int offset) {}

  /**
   * {@code limit} 1..{@link #MAX_PAGE} (default 100) and {@code offset} >= 0 (default 0), checked
   * in that order.
   */
  static Page page(String limit, String offset) {
    return new Page(
        intInRange("limit", limit, 100, 1, MAX_PAGE),
        intInRange("offset", offset, 0, 0, Integer.MAX_VALUE));
  }

  static String promptName(String name) {
    if (name == null || !PROMPT_NAME.matcher(name).matches()) {
      throw ApiException.invalid("name", "prompt name " + PROMPT_NAME_RULE);
    }
    return name;
  }

  /** A valid prompt name that the registry knows; 404 naming it otherwise. */
  static String existingPrompt(dev.promptcanary.activities.store.PromptDao prompts, String name) {
    String prompt = promptName(name);
    if (!prompts.promptExists(prompt)) {
      throw ApiException.notFound("name", "no prompt named '" + prompt + "'");
    }
    return prompt;
  }

  static int positiveInt(String field, String value) {
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1) {
        return parsed;
      }
    } catch (NumberFormatException | NullPointerException e) {
      // reported below
    }
    throw ApiException.invalid(field, field + " must be a positive integer, was '" + value + "'");
  }

  public static int intInRange(String field, String value, int defaultValue, int min, int max) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(
        field, field + " must be an integer within " + min + ".." + max + ", was '" + value + "'");
  }

  static Instant instant(String field, String value, Instant defaultValue) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      Instant parsed = Instant.parse(value.trim());
      if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
        throw ApiException.invalid(
            field, field + " must be within " + EARLIEST + ".." + LATEST + ", was '" + value + "'");
      }
      return parsed;
    } catch (DateTimeParseException e) {
      throw ApiException.invalid(
          field,
          field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was '" + value + "'");
    }
  }
}
