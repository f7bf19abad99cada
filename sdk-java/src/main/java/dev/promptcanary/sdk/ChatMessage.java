package dev.promptcanary.sdk;

/** One message of a chat-completions call: {@code system}, {@code user} or {@code assistant}. */
public record ChatMessage(String role, String content) {}
