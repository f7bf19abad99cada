package dev.promptcanary.activities.model;

import java.util.List;
import java.util.Map;

/**
 * A chat-completions call: the model, the conversation and the sampling parameters (as the prompt
 * version stores them, e.g. {@code temperature}, {@code max_tokens}). {@code jsonMode} asks for a
 * JSON object answer where the endpoint supports it.
 */
public record ChatRequest(
    String model, List<ChatMessage> messages, Map<String, Object> parameters, boolean jsonMode) {
  public ChatRequest {
    messages = List.copyOf(messages);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }
}
