package dev.promptcanary.api.resources;

import dev.promptcanary.api.errors.FieldError;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a prompt version's model {@code parameters} may hold: names of 1-100 characters, and values
 * that are text (at most {@link #MAX_TEXT} characters), finite numbers, booleans, or lists and
 * objects of them nested at most {@link #MAX_DEPTH} deep, with at most {@link #MAX_ITEMS} items
 * each. No nulls: a parameter is set or left out. These are what every model client can send and
 * the content hash can read.
 */
final class ParameterRules {
  static final int MAX_TEXT = 10_000;
  static final int MAX_DEPTH = 5;
  static final int MAX_ITEMS = 100;

  private ParameterRules() {}

  static List<FieldError> problems(Map<String, Object> parameters) {
    List<FieldError> problems = new ArrayList<>();
    if (parameters != null) {
      object("parameters", parameters, 1, problems);
    }
    return problems;
  }

  private static void object(String at, Map<?, ?> object, int depth, List<FieldError> problems) {
    if (object.size() > MAX_ITEMS) {
      problems.add(new FieldError(at, "at most " + MAX_ITEMS + " entries"));
      return;
    }
    for (Map.Entry<?, ?> entry : object.entrySet()) {
      String name = String.valueOf(entry.getKey());
      if (name.isEmpty() || name.length() > 100) {
        problems.add(new FieldError(at, "parameter names must be 1-100 characters"));
        continue;
      }
      value(at + "." + name, entry.getValue(), depth, problems);
    }
  }

  private static void value(String at, Object value, int depth, List<FieldError> problems) {
    if (value == null) {
      problems.add(new FieldError(at, "must not be null; leave the parameter out instead"));
    } else if (value instanceof String text) {
      if (text.length() > MAX_TEXT) {
        problems.add(new FieldError(at, "must be at most " + MAX_TEXT + " characters"));
      }
    } else if (value instanceof Double || value instanceof Float) {
      if (!Double.isFinite(((Number) value).doubleValue())) {
        problems.add(new FieldError(at, "must be a finite number"));
      }
    } else if (value instanceof BigInteger big) {
      if (big.bitLength() > 63) {
        problems.add(new FieldError(at, "must be a number within the range of a 64-bit integer"));
      }
    } else if (value instanceof Number || value instanceof Boolean) {
      // fine
    } else if (value instanceof List<?> list) {
      if (depth >= MAX_DEPTH) {
        problems.add(new FieldError(at, "nested deeper than " + MAX_DEPTH + " levels"));
      } else if (list.size() > MAX_ITEMS) {
        problems.add(new FieldError(at, "at most " + MAX_ITEMS + " items"));
      } else {
        for (int i = 0; i < list.size(); i++) {
          value(at + "[" + i + "]", list.get(i), depth + 1, problems);
        }
      }
    } else if (value instanceof Map<?, ?> map) {
      if (depth >= MAX_DEPTH) {
        problems.add(new FieldError(at, "nested deeper than " + MAX_DEPTH + " levels"));
      } else {
        object(at, map, depth + 1, problems);
      }
    } else {
      problems.add(new FieldError(at, "must be text, a number, a boolean, a list or an object"));
    }
  }
}
