package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.registry.CreatedVersion;
import dev.promptcanary.serving.PromptContent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PromptDaoTest {
  private static Jdbi jdbi;
  private static PromptDao prompts;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    prompts = jdbi.onDemand(PromptDao.class);
  }

  @Test
  void numbersVersionsFromOneAndMakesTheFirstStable() {
    CreatedVersion first = prompts.createVersion("numbering", Fixtures.content(1), "ana");
    CreatedVersion second = prompts.createVersion("numbering", Fixtures.content(2), "ben");

    assertThat(first.created()).isTrue();
    assertThat(first.version().version()).isEqualTo(1);
    assertThat(second.version().version()).isEqualTo(2);
    assertThat(second.version().author()).isEqualTo("ben");
    assertThat(second.version().variables()).containsExactly("customer", "question");
    assertThat(second.version().content()).isEqualTo(Fixtures.content(2));
    assertThat(prompts.routing().find("numbering").orElseThrow().stableVersion()).isEqualTo(1);
  }

  @Test
  void sameContentReturnsTheExistingVersionEvenWithParametersInAnotherOrder() {
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("a", 1);
    ordered.put("b", 2);
    Map<String, Object> reversed = new LinkedHashMap<>();
    reversed.put("b", 2);
    reversed.put("a", 1);
    PromptContent one = new PromptContent("sys", List.of(), "{{q}}", "m", ordered);
    PromptContent two = new PromptContent("sys", List.of(), "{{q}}", "m", reversed);

    CreatedVersion created = prompts.createVersion("dedupe", one, "ana");
    CreatedVersion again = prompts.createVersion("dedupe", two, "someone-else");

    assertThat(again.created()).isFalse();
    assertThat(again.version().version()).isEqualTo(created.version().version());
    assertThat(again.version().author()).isEqualTo("ana");
    assertThat(prompts.listVersions("dedupe", 10, 0)).hasSize(1);
  }

  @Test
  void storedVersionsCannotBeModified() {
    prompts.createVersion("immutable", Fixtures.content(1), "ana");

    assertThatThrownBy(
            () ->
                jdbi.useHandle(
                    h ->
                        h.execute(
                            "UPDATE prompt_versions SET system_prompt = 'changed' WHERE prompt = 'immutable'")))
        .hasMessageContaining("immutable");
    assertThat(prompts.findVersion("immutable", 1).orElseThrow().content().systemPrompt())
        .isEqualTo(Fixtures.content(1).systemPrompt());
  }

  @Test
  void listsPromptsWithWhatTheyServe() {
    prompts.createVersion("listed", Fixtures.content(1), "ana");
    prompts.createVersion("listed", Fixtures.content(2), "ana");

    var summary =
        prompts.listPrompts(100, 0).stream()
            .filter(p -> p.name().equals("listed"))
            .findFirst()
            .orElseThrow();
    assertThat(summary.latestVersion()).isEqualTo(2);
    assertThat(summary.stableVersion()).isEqualTo(1);
    assertThat(summary.canaryVersion()).isNull();
  }

  @Test
  void concurrentCreatesOfTheSameContentStoreItOnce() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.Set<Integer> versions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 6; i++) {
      Thread t =
          new Thread(
              () ->
                  versions.add(
                      prompts
                          .createVersion("race", Fixtures.content(7), "ana")
                          .version()
                          .version()));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(versions).containsExactly(1);
    assertThat(prompts.listVersions("race", 10, 0)).hasSize(1);
  }
}
