package dev.promptcanary.activities.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a suite definition before it is stored, naming every problem by its JSON path (for example
 * {@code cases[3].assertions[0].pattern} for a regex that does not compile), so a runner never
 * meets a suite it cannot run.
 */
public final class SuiteValidator {
  public static final String NAME_RULE =
      "must be 1-100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";
  public static final int MAX_CASES = 1000;
  public static final int MAX_ASSERTIONS = 50;
  public static final int MAX_VARIABLES = 100;

  /** Longest variable value or expected value; patterns and rubrics are held to a tenth of it. */
  public static final int MAX_TEXT = 100_000;

  public static final int MAX_PATTERN = 10_000;
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,99}$");
  private static final Pattern CASE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$");
  private static final JsonSchema META_SCHEMA =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(SchemaLocation.of(SchemaId.V202012));

  private static final List<String> KNOWN_SCHEMAS =
      java.util.Arrays.stream(SpecVersion.VersionFlag.values()).map(v -> v.getId()).toList();

  private SuiteValidator() {}

  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Every problem found, in document order; empty when the suite can be stored and run. */
  public static List<SuiteProblem> validate(EvalSuite suite) {
    List<SuiteProblem> problems = new ArrayList<>();
    if (!validName(suite.name())) {
      problems.add(new SuiteProblem("name", "suite name " + NAME_RULE));
    }
    if (suite.cases().isEmpty()) {
      problems.add(new SuiteProblem("cases", "a suite needs at least one case"));
    } else if (suite.cases().size() > MAX_CASES) {
      problems.add(
          new SuiteProblem(
              "cases", "at most " + MAX_CASES + " cases, was " + suite.cases().size()));
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < suite.cases().size(); i++) {
      String at = "cases[" + i + "]";
      EvalCase c = suite.cases().get(i);
      if (c == null) {
        problems.add(new SuiteProblem(at, "must not be null"));
        continue;
      }
      if (c.id() == null || !CASE_ID.matcher(c.id()).matches()) {
        problems.add(
            new SuiteProblem(
                at + ".id",
                "case id must be 1-200 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'"));
      } else if (!ids.add(c.id())) {
        problems.add(
            new SuiteProblem(at + ".id", "case id '" + c.id() + "' is used by an earlier case"));
      }
      if (c.variables().size() > MAX_VARIABLES) {
        problems.add(
            new SuiteProblem(
                at + ".variables", "at most " + MAX_VARIABLES + " variables per case"));
      }
      for (Map.Entry<String, String> variable : c.variables().entrySet()) {
        if (variable.getKey().isEmpty() || variable.getKey().length() > 100) {
          problems.add(
              new SuiteProblem(at + ".variables", "variable names must be 1-100 characters"));
        } else if (variable.getValue() == null) {
          problems.add(
              new SuiteProblem(
                  at + ".variables." + variable.getKey(), "must be a string, was null"));
        } else if (variable.getValue().length() > MAX_TEXT) {
          problems.add(
              new SuiteProblem(
                  at + ".variables." + variable.getKey(),
                  "must be at most " + MAX_TEXT + " characters"));
        }
      }
      if (c.assertions().isEmpty()) {
        problems.add(new SuiteProblem(at + ".assertions", "a case needs at least one assertion"));
      } else if (c.assertions().size() > MAX_ASSERTIONS) {
        problems.add(
            new SuiteProblem(
                at + ".assertions", "at most " + MAX_ASSERTIONS + " assertions per case"));
      }
      for (int j = 0; j < c.assertions().size(); j++) {
        assertion(at + ".assertions[" + j + "]", c.assertions().get(j), problems);
      }
    }
    gate(suite.gate(), problems);
    if (suite.gate() != null
        && suite.gate().minMeanJudgeScore() != null
        && suite.cases().stream()
            .filter(c -> c != null)
            .flatMap(c -> c.assertions().stream())
            .noneMatch(a -> a != null && "judge".equals(a.type()))) {
      problems.add(
          new SuiteProblem(
              "gate.minMeanJudgeScore", "needs at least one case with a judge assertion to score"));
    }
    return problems;
  }

  private static void assertion(String at, Assertion a, List<SuiteProblem> problems) {
    if (a == null) {
      problems.add(new SuiteProblem(at, "must not be null"));
      return;
    }
    if (a.type() == null || !Assertion.TYPES.contains(a.type())) {
      problems.add(
          new SuiteProblem(
              at + ".type",
              "type must be one of equals, contains, not_contains, regex, valid_json, json_schema, max_length,"
                  + " max_tokens, judge; was "
                  + (a.type() == null ? "missing" : "'" + a.type() + "'")));
      return;
    }
    tooLong(at + ".value", a.value(), MAX_TEXT, problems);
    tooLong(at + ".pattern", a.pattern(), MAX_PATTERN, problems);
    tooLong(at + ".rubric", a.rubric(), MAX_PATTERN, problems);
    switch (a.type()) {
      case "equals", "contains", "not_contains" -> {
        if (a.value() == null || (!a.type().equals("equals") && a.value().isEmpty())) {
          problems.add(new SuiteProblem(at + ".value", a.type() + " needs a non-empty value"));
        }
      }
      case "regex" -> {
        if (a.pattern() == null || a.pattern().isEmpty()) {
          problems.add(new SuiteProblem(at + ".pattern", "regex needs a pattern"));
        } else {
          try {
            Pattern.compile(a.pattern());
          } catch (PatternSyntaxException e) {
            problems.add(
                new SuiteProblem(
                    at + ".pattern",
                    "not a valid regular expression: "
                        + e.getDescription()
                        + " near index "
                        + e.getIndex()));
          }
        }
      }
      case "json_schema" -> schema(at + ".schema", a.schema(), problems);
      case "max_length", "max_tokens" -> {
        if (a.max() == null || a.max() < 1) {
          problems.add(new SuiteProblem(at + ".max", a.type() + " needs max, a positive integer"));
        }
      }
      case "judge" -> {
        if (a.rubric() == null || a.rubric().isBlank()) {
          problems.add(new SuiteProblem(at + ".rubric", "judge needs a rubric"));
        }
        if (!unitInterval(a.threshold())) {
          problems.add(new SuiteProblem(at + ".threshold", "judge needs a threshold within 0..1"));
        }
      }
      default -> {
        // valid_json reads nothing else
      }
    }
  }

  private static void schema(String at, Map<String, Object> schema, List<SuiteProblem> problems) {
    if (schema == null) {
      problems.add(new SuiteProblem(at, "json_schema needs a schema (a JSON object)"));
      return;
    }
    JsonNode node = AssertionChecker.STRICT_JSON.valueToTree(schema);
    JsonNode declared = node.get("$schema");
    if (declared != null
        && (!declared.isTextual()
            || SpecVersionDetector.detectOptionalVersion(declared.asText()).isEmpty())) {
      problems.add(
          new SuiteProblem(
              at + ".$schema",
              "unknown $schema; use one of " + KNOWN_SCHEMAS + " (or leave it out for 2020-12)"));
      return;
    }
    if (declared == null) {
      Set<ValidationMessage> errors = META_SCHEMA.validate(node);
      if (!errors.isEmpty()) {
        problems.add(
            new SuiteProblem(
                at, "not a valid JSON Schema: " + errors.iterator().next().getMessage()));
        return;
      }
    }
    try {
      AssertionChecker.compile(schema);
    } catch (IllegalArgumentException e) {
      problems.add(new SuiteProblem(at, "not a usable JSON Schema: " + e.getMessage()));
    }
  }

  private static void gate(EvalGate gate, List<SuiteProblem> problems) {
    if (gate == null) {
      problems.add(
          new SuiteProblem(
              "gate", "a suite needs a gate (minPassRate, minMeanJudgeScore, maxDropVsBaseline)"));
      return;
    }
    if (gate.minPassRate() == null
        && gate.minMeanJudgeScore() == null
        && gate.maxDropVsBaseline() == null) {
      problems.add(
          new SuiteProblem(
              "gate", "set at least one of minPassRate, minMeanJudgeScore, maxDropVsBaseline"));
    }
    if (gate.minPassRate() != null && !unitInterval(gate.minPassRate())) {
      problems.add(new SuiteProblem("gate.minPassRate", "must be within 0..1"));
    }
    if (gate.minMeanJudgeScore() != null && !unitInterval(gate.minMeanJudgeScore())) {
      problems.add(new SuiteProblem("gate.minMeanJudgeScore", "must be within 0..1"));
    }
    if (gate.maxDropVsBaseline() != null && !unitInterval(gate.maxDropVsBaseline())) {
      problems.add(new SuiteProblem("gate.maxDropVsBaseline", "must be within 0..1"));
    }
  }

  private static void tooLong(String at, String text, int max, List<SuiteProblem> problems) {
    if (text != null && text.length() > max) {
      problems.add(new SuiteProblem(at, "must be at most " + max + " characters"));
    }
  }

  private static boolean unitInterval(Double value) {
    return value != null && value >= 0 && value <= 1;
  }
}
