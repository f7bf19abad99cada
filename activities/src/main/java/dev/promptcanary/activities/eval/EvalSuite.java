package dev.promptcanary.activities.eval;

import java.util.List;

/**
 * An offline eval suite: its name, cases with template variables and expectations, and the gate a
 * candidate must pass. The content of one stored version; versions are immutable and numbered per
 * name.
 */
public record EvalSuite(String name, List<EvalCase> cases, EvalGate gate) {
  public EvalSuite {
    cases = cases == null ? List.of() : List.copyOf(cases);
  }
}
