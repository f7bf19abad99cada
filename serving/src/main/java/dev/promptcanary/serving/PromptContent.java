package dev.promptcanary.serving;

import java.util.List;
import java.util.Map;

/**
 * Everything that decides what the model sees and how it is called. Two versions with equal content
 * are the same version: the content hash is taken over exactly these fields.
 */
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

  /** The template's {@code {{name}}} placeholders, in order of first appearance. */
  public List<String> variables() {
    return Template.variables(template);
  }
}
