package dev.promptcanary.activities.eval;

import java.util.List;
import java.util.Map;

/**
 * One case of a suite: the template variables to render both prompt versions with, and what the
 * answer must meet.
 */
public record EvalCase(String id, Map<String, String> variables, List<Assertion> assertions) {
  public EvalCase {
    variables = variables == null ? Map.of() : Map.copyOf(variables);
    assertions = assertions == null ? List.of() : List.copyOf(assertions);
  }
}
