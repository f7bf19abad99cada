package dev.promptcanary.sdk;

/** One worked example shown to the model before the real input. */
public record FewShotExample(String user, String assistant) {}
