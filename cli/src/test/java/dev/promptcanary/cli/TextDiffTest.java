package dev.promptcanary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextDiffTest {
  private static final List<String> A =
      List.of("You are a support agent.", "Be polite.", "Sign off.");
  private static final List<String> B =
      List.of("You are a support agent.", "Be brief.", "Sign off.", "Never promise a refund.");

  @Test
  void unifiedMarksRemovedAndAddedLinesAndKeepsTheCommonOnes() {
    assertThat(TextDiff.unified(TextDiff.diff(A, B)))
        .containsExactly(
            "  You are a support agent.",
            "- Be polite.",
            "+ Be brief.",
            "  Sign off.",
            "+ Never promise a refund.");
  }

  @Test
  void sideBySidePairsAChangedLineAndMarksOneSidedOnes() {
    assertThat(TextDiff.sideBySide(TextDiff.diff(A, B), 12))
        .containsExactly(
            "You are a s~ | You are a s~",
            "Be polite.   ~ Be brief.",
            "Sign off.    | Sign off.",
            "             > Never promi~");
  }

  @Test
  void identicalTextsHaveNoChange() {
    assertThat(TextDiff.changed(TextDiff.diff(A, A))).isFalse();
    assertThat(TextDiff.changed(TextDiff.diff(A, B))).isTrue();
    assertThat(TextDiff.unified(TextDiff.diff(List.of(), List.of("x")))).containsExactly("+ x");
  }
}
