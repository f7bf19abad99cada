package dev.promptcanary.activities.store;

import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.rollout.InconclusivePolicy;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.Stage;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Prompt contents (different for each {@code n}) and rollout specs for tests. */
public final class Fixtures {
  private Fixtures() {}

  /** Stores versions 1 and 2 of each prompt: the baseline and candidate most store tests need. */
  public static void twoVersionsOf(Jdbi jdbi, String... prompts) {
    PromptDao dao = jdbi.onDemand(PromptDao.class);
    for (String prompt : prompts) {
      dao.createVersion(prompt, content(1), "ana");
      dao.createVersion(prompt, content(2), "ana");
    }
  }

  public static PromptContent content(int n) {
    return new PromptContent(
        "You are a helpful support agent. Variant " + n + ".",
        List.of(new FewShotExample("Where is my order?", "Let me check that for you.")),
        "Customer {{customer}} asks: {{question}}",
        "sim-model",
        Map.of("temperature", 0.2, "max_tokens", 256));
  }

  /**
   * Version 2 of {@code prompt} against 1 over {@code stages}, started by "ana": default gates,
   * holding when inconclusive, a look a minute, no webhook and the defaults for all added later.
   */
  public static RolloutSpec spec(String prompt, List<Stage> stages) {
    return new RolloutSpec(
        prompt,
        2,
        1,
        stages,
        GatesConfig.defaults(),
        null,
        InconclusivePolicy.HOLD,
        0,
        60,
        null,
        "ana",
        null,
        null,
        null,
        null,
        null);
  }
}
