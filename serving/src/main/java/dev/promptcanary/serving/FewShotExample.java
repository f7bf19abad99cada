package dev.promptcanary.serving;

/**
 * One worked example shown to the model before the real input: what the user said, what a good
 * answer is.
 */
public record FewShotExample(String user, String assistant) {}
