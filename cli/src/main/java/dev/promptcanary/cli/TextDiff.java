package dev.promptcanary.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff (longest common subsequence) of two texts, shown unified ({@code -}/{@code +}/space
 * prefixes) or side by side. Prompts are short (a system prompt of a few hundred lines at most), so
 * the quadratic table is fine.
 */
final class TextDiff {
  enum Op {
    SAME,
    REMOVED,
    ADDED
  }

  record Line(Op op, String text) {}

  private TextDiff() {}

  static List<Line> diff(List<String> a, List<String> b) {
    int n = a.size();
    int m = b.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        lcs[i][j] =
            a.get(i).equals(b.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<Line> lines = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      if (a.get(i).equals(b.get(j))) {
        lines.add(new Line(Op.SAME, a.get(i)));
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        lines.add(new Line(Op.REMOVED, a.get(i++)));
      } else {
        lines.add(new Line(Op.ADDED, b.get(j++)));
      }
    }
    while (i < n) {
      lines.add(new Line(Op.REMOVED, a.get(i++)));
    }
    while (j < m) {
      lines.add(new Line(Op.ADDED, b.get(j++)));
    }
    return lines;
  }

  static List<String> unified(List<Line> diff) {
    List<String> out = new ArrayList<>();
    for (Line line : diff) {
      String prefix =
          switch (line.op()) {
            case SAME -> "  ";
            case REMOVED -> "- ";
            case ADDED -> "+ ";
          };
      out.add(prefix + line.text());
    }
    return out;
  }

  /**
   * Two columns of {@code width} characters each: the old text left, the new right, {@code |}
   * between unchanged lines, {@code <} a line only on the left, {@code >} only on the right, and
   * {@code ~} a changed line (a removal paired with the addition that follows it).
   */
  static List<String> sideBySide(List<Line> diff, int width) {
    List<String> out = new ArrayList<>();
    int k = 0;
    while (k < diff.size()) {
      Line line = diff.get(k);
      if (line.op() == Op.SAME) {
        out.add(row(line.text(), " | ", line.text(), width));
        k++;
        continue;
      }
      List<String> removed = new ArrayList<>();
      List<String> added = new ArrayList<>();
      while (k < diff.size() && diff.get(k).op() != Op.SAME) {
        (diff.get(k).op() == Op.REMOVED ? removed : added).add(diff.get(k).text());
        k++;
      }
      for (int r = 0; r < Math.max(removed.size(), added.size()); r++) {
        String left = r < removed.size() ? removed.get(r) : null;
        String right = r < added.size() ? added.get(r) : null;
        String mark = left == null ? " > " : right == null ? " < " : " ~ ";
        out.add(row(left == null ? "" : left, mark, right == null ? "" : right, width));
      }
    }
    return out;
  }

  private static String row(String left, String mark, String right, int width) {
    return (Text.pad(clip(left, width), width) + mark + clip(right, width)).stripTrailing();
  }

  private static String clip(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "~";
  }

  static boolean changed(List<Line> diff) {
    return diff.stream().anyMatch(l -> l.op() != Op.SAME);
  }
}
