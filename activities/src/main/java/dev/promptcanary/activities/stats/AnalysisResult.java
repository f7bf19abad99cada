package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * The engine's answer for one look.
 *
 * @param overall the combined decision (what the workflow acts on), with the numbers of the gate
 *     that decided it
 * @param gates one verdict per enabled gate, sample ratio check first
 */
public record AnalysisResult(Verdict overall, List<Verdict> gates) {

  public AnalysisResult {
    Objects.requireNonNull(overall, "overall");
    gates = List.copyOf(gates);
  }
}
