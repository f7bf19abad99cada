package dev.promptcanary.api.resources;

import dev.promptcanary.activities.eval.EvalCase;
import dev.promptcanary.activities.eval.EvalGate;
import dev.promptcanary.activities.eval.EvalSuite;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code POST /v1/eval-suites}: the suite and who wrote it. Bean Validation checks only
 * the author; the suite itself is checked by {@code SuiteValidator}, which names fields such as
 * {@code cases[3].assertions[0].pattern}.
 */
public record CreateEvalSuiteRequest(
    String name, List<EvalCase> cases, EvalGate gate, @NotBlank @Size(max = 200) String author) {

  EvalSuite suite() {
    return new EvalSuite(name, cases, gate);
  }
}
