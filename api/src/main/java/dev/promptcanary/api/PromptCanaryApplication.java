package dev.promptcanary.api;

public class PromptCanaryApplication {
  public static void main(String[] args) {}
}
