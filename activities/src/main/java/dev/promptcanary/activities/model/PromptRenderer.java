package dev.promptcanary.activities.model;

import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a prompt version and the variables of one request into the chat-completions call: system
 * prompt, the few-shot examples as user/assistant turns, then the template with its {@code
 * {{variables}}} filled in.
 */
public final class PromptRenderer {
  private PromptRenderer() {}

  /**
   * Throws IllegalArgumentException naming the first variable the template needs and {@code
   * variables} lacks.
   */
  public static ChatRequest render(PromptContent content, Map<String, String> variables) {
    List<ChatMessage> messages = new ArrayList<>();
    if (content.systemPrompt() != null && !content.systemPrompt().isEmpty()) {
      messages.add(ChatMessage.system(content.systemPrompt()));
    }
    for (FewShotExample example : content.fewShot()) {
      messages.add(ChatMessage.user(example.user()));
      messages.add(ChatMessage.assistant(example.assistant()));
    }
    messages.add(ChatMessage.user(Template.fill(content.template(), variables)));
    return new ChatRequest(content.model(), messages, content.parameters(), false);
  }
}
