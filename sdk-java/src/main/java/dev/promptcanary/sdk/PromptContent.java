package dev.promptcanary.sdk;

import java.util.List;
import java.util.Map;

/** What the model sees and how it is called, as the server stores it for one version. */
public record PromptContent(
    String systemPrompt,
    List<FewShotExample> fewShot,
    String template,
    String model,
    Map<String, Object> parameters) {
  public PromptContent {
    fewShot = fewShot == null ? List.of() : List.copyOf(fewShot);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
