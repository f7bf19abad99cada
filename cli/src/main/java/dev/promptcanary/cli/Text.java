package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small text helpers of the views: tables, percentages, numbers, the field-name change. */
final class Text {
  private Text() {}

  /** Columns padded to their widest cell (the last column is not padded). */
  static List<String> table(List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        line.append(i == row.size() - 1 ? cell : pad(cell, widths[i] + 2));
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  static String percent(long bp) {
    return bp % 100 == 0 ? (bp / 100) + "%" : String.format(Locale.ROOT, "%.2f%%", bp / 100.0);
  }

  static String signed(double x) {
    if (Double.isNaN(x)) {
      return "n/a";
    }
    if (!bounded(x)) {
      return x > 0 ? "+inf" : "-inf";
    }
    return String.format(Locale.ROOT, "%+.4f", x);
  }

  /** One line (line breaks and tabs become spaces; alignment is kept) of at most {@code max}. */
  /**
   * Whether a number is a real bound: the statistics write an unbounded side as an infinity or as
   * {@code Double.MAX_VALUE} (e.g. a cost ratio with no stable data).
   */
  static boolean bounded(double x) {
    return Double.isFinite(x) && Math.abs(x) < 1e12;
  }

  static String abbreviate(String s, int max) {
    String line = s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ").stripTrailing();
    return line.length() <= max ? line : line.substring(0, Math.max(0, max - 3)) + "...";
  }

  /**
   * A count the server calls by its new name or, before the arm-name change, its old one (e.g.
   * {@code stableN}, then {@code baselineN}).
   */
  static long count(JsonNode node, String name, String oldName) {
    JsonNode v = node.path(name);
    return v.isNumber() ? v.asLong() : node.path(oldName).asLong(0);
  }

  /** A text field, or {@code fallback} when it is missing or null. */
  static String text(JsonNode node, String name, String fallback) {
    JsonNode v = node.path(name);
    return v.isNull() || v.isMissingNode() ? fallback : v.asText();
  }
}
