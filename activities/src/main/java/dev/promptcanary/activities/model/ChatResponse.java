package dev.promptcanary.activities.model;

/** What the model answered, with the usage and cost accounting of the call. */
public record ChatResponse(
    String content, String model, int inputTokens, int outputTokens, double cost, long latencyMs) {}
