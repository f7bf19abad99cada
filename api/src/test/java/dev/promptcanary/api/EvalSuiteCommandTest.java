package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.eval.CreatedSuite;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.api.commands.EvalSuiteCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalSuiteCommandTest {
  private final Jdbi jdbi = TestDatabases.fresh().jdbi();

  @Test
  void loadsAYamlSuiteOnceAndValidatesItLikeTheApi(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("suite.yml");
    Files.writeString(
        file,
        """
        name: support-refunds
        author: ana
        cases:
          - id: refund-1
            variables: {question: "Can I get my money back?"}
            assertions:
              - {type: contains, value: refund}
              - type: json_schema
                schema: {type: object, required: [answer]}
        gate: {minPassRate: 0.9, maxDropVsBaseline: 0.05}
        """);

    CreatedSuite first = EvalSuiteCommand.load(jdbi, file);
    assertThat(first.created()).isTrue();
    assertThat(first.suite().version()).isEqualTo(1);
    assertThat(first.suite().definition().cases().get(0).assertions()).hasSize(2);
    assertThat(EvalSuiteCommand.load(jdbi, file).created()).isFalse();
    assertThat(
            jdbi.onDemand(EvalDao.class).findLatestSuite("support-refunds").orElseThrow().author())
        .isEqualTo("ana");

    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        """
        {"name": "bad", "cases": [{"id": "a", "assertions": [{"type": "regex", "pattern": "(x"}]}],
         "gate": {"minPassRate": 1}}
        """);
    assertThatThrownBy(() -> EvalSuiteCommand.load(jdbi, bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cases[0].assertions[0].pattern: not a valid regular expression");
    assertThat(jdbi.onDemand(EvalDao.class).findLatestSuite("bad")).isEmpty();
  }
}
