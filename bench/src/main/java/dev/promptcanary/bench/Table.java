package dev.promptcanary.bench;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table for the benchmark reports. */
public final class Table {
  private final List<String[]> rows = new ArrayList<>();

  public Table(String... header) {
    rows.add(header);
  }

  public Table row(Object... cells) {
    String[] text = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      text[i] = String.valueOf(cells[i]);
    }
    rows.add(text);
    return this;
  }

  public String render() {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < columns; i++) {
        String cell = rows.get(r)[i];
        line.append(' ')
            .append(i == 0 ? pad(cell, width[i]) : padLeft(cell, width[i]))
            .append(" |");
      }
      out.append(line).append('\n');
      if (r == 0) {
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < columns; i++) {
          rule.append(i == 0 ? "-" : " ").append("-".repeat(width[i])).append(i == 0 ? " |" : ":|");
        }
        out.append(rule).append('\n');
      }
    }
    return out.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  private static String padLeft(String s, int width) {
    return " ".repeat(width - s.length()) + s;
  }

  public static String fmt(double value, int decimals) {
    return String.format(java.util.Locale.ROOT, "%,." + decimals + "f", value);
  }

  public static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
