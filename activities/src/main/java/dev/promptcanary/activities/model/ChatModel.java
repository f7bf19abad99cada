package dev.promptcanary.activities.model;

/**
 * An OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM,
 * the simulator).
 */
public interface ChatModel {
  ChatResponse complete(ChatRequest request) throws ModelException;
}
