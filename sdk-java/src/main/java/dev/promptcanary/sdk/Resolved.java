package dev.promptcanary.sdk;

import dev.promptcanary.serving.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The version to serve for one unit, decided locally exactly as the server's resolve decides it
 * (same fields, same meaning). {@code pinned} says the caller's pin was honoured; {@code
 * pinDropped} says it was not, because that version is no longer served, and {@code note} says why.
 */
public record Resolved(
    String prompt,
    int version,
    Arm arm,
    int bucket,
    int canaryWeightBp,
    String rolloutId,
    boolean pinned,
    boolean pinDropped,
    String note,
    PromptVersion content,
    String unit) {

  /**
   * The chat-completions call for this version and {@code variables}. Throws
   * IllegalArgumentException naming the first variable the template needs and {@code variables}
   * lacks.
   */
  public Rendered render(Map<String, String> variables) {
    PromptContent c = content.content();
    List<ChatMessage> messages = new ArrayList<>();
    if (c.systemPrompt() != null && !c.systemPrompt().isEmpty()) {
      messages.add(new ChatMessage("system", c.systemPrompt()));
    }
    for (FewShotExample example : c.fewShot()) {
      messages.add(new ChatMessage("user", example.user()));
      messages.add(new ChatMessage("assistant", example.assistant()));
    }
    messages.add(new ChatMessage("user", fill(variables)));
    return new Rendered(c.model(), List.copyOf(messages), c.parameters());
  }

  /**
   * The template with its {@code {{variables}}} filled in, as the server fills it. Throws
   * IllegalArgumentException naming the first variable the template needs and {@code variables}
   * lacks.
   */
  public String fill(Map<String, String> variables) {
    return Template.fill(content.content().template(), variables);
  }

  /** An observation of this request, its prompt, version and unit filled in. */
  public Observation.Builder observation() {
    return Observation.builder(prompt, version, unit);
  }
}
