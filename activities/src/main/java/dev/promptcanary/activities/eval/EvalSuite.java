package dev.promptcanary.activities.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * An offline eval suite: its name, cases with template variables and expectations, and the gate a
 * candidate must pass. The content of one stored version; versions are immutable and numbered per
 * name.
 */
public record EvalSuite(String name, List<EvalCase> cases, EvalGate gate) {
  public EvalSuite {
    // Not List.copyOf: a null case must reach SuiteValidator, which names it, not throw here.
    cases =
        cases == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(cases));
  }
}
