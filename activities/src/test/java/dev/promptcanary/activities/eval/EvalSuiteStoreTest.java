package dev.promptcanary.activities.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.TestDatabases;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvalSuiteStoreTest {
  private static Jdbi jdbi;
  private static EvalDao evals;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    evals = jdbi.onDemand(EvalDao.class);
  }

  static EvalSuite suite(String name, String expected, Map<String, Object> schema) {
    return new EvalSuite(
        name,
        List.of(
            new EvalCase(
                "c1", Map.of("question", "q1"), List.of(Assertion.of("contains", expected))),
            new EvalCase("c2", Map.of("question", "q2"), List.of(Assertion.schema(schema)))),
        new EvalGate(0.9, null, 0.1));
  }

  @Test
  void numbersVersionsAndReturnsTheExistingOneForTheSameContentInAnyKeyOrder() {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "object");
    schema.put("required", List.of("a"));
    CreatedSuite first = evals.createSuite(suite("support", "refund", schema), "ana");
    assertThat(first.created()).isTrue();
    assertThat(first.suite().version()).isEqualTo(1);

    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("required", List.of("a"));
    reordered.put("type", "object");
    CreatedSuite again = evals.createSuite(suite("support", "refund", reordered), "ben");
    assertThat(again.created()).isFalse();
    assertThat(again.suite().version()).isEqualTo(1);
    assertThat(again.suite().author()).isEqualTo("ana");

    CreatedSuite second = evals.createSuite(suite("support", "credit", schema), "ben");
    assertThat(second.created()).isTrue();
    assertThat(second.suite().version()).isEqualTo(2);
    assertThat(evals.findLatestSuite("support").orElseThrow().version()).isEqualTo(2);
    assertThat(evals.findSuite("support", 1).orElseThrow().definition())
        .isEqualTo(suite("support", "refund", schema));
    assertThat(evals.listSuites(100, 0))
        .extracting(SuiteSummary::name, SuiteSummary::latestVersion, SuiteSummary::cases)
        .contains(org.assertj.core.groups.Tuple.tuple("support", 2, 2));
  }

  @Test
  void versionsAreImmutable() {
    evals.createSuite(suite("frozen", "x", Map.of("type", "object")), "ana");
    assertThatThrownBy(
            () ->
                jdbi.useHandle(
                    h -> h.execute("UPDATE eval_suites SET author = 'eve' WHERE name = 'frozen'")))
        .hasMessageContaining("immutable");
  }
}
