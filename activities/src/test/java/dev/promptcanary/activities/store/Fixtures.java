package dev.promptcanary.activities.store;

import dev.promptcanary.activities.registry.FewShotExample;
import dev.promptcanary.activities.registry.PromptContent;
import java.util.List;
import java.util.Map;

/** Prompt contents for tests, different for each {@code n}. */
public final class Fixtures {
  private Fixtures() {}

  public static PromptContent content(int n) {
    return new PromptContent(
        "You are a helpful support agent. Variant " + n + ".",
        List.of(new FewShotExample("Where is my order?", "Let me check that for you.")),
        "Customer {{customer}} asks: {{question}}",
        "sim-model",
        Map.of("temperature", 0.2, "max_tokens", 256));
  }
}
