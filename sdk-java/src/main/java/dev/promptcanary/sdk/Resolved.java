package dev.promptcanary.sdk;

import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.Resolution;
import dev.promptcanary.serving.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The version to serve for one unit, decided locally exactly as the server's resolve decides it:
 * {@code decision} is the very record the server's resolve answers ({@link Resolution}: version,
 * arm, bucket, pin outcome, the version's content), {@code unit} the unit it was decided for.
 */
public record Resolved(Resolution decision, String unit) {

  /**
   * The chat-completions call for this version and {@code variables}. Throws
   * IllegalArgumentException naming the first variable the template needs and {@code variables}
   * lacks.
   */
  public Rendered render(Map<String, String> variables) {
    PromptContent c = decision.content().content();
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
    return Template.fill(decision.content().content().template(), variables);
  }

  /** An observation of this request, its prompt, version and unit filled in. */
  public Observation.Builder observation() {
    return Observation.builder(decision.prompt(), decision.version(), unit);
  }
}
