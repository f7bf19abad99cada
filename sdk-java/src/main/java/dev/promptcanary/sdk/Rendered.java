package dev.promptcanary.sdk;

import java.util.List;
import java.util.Map;

/**
 * A version filled in for one request, as the server's renderer builds it: the system prompt, the
 * few-shot examples as user/assistant turns, then the template with its variables.
 */
public record Rendered(String model, List<ChatMessage> messages, Map<String, Object> parameters) {}
