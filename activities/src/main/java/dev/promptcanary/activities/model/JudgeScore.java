package dev.promptcanary.activities.model;

/**
 * A judge's verdict on one response: {@code score} in [0, 1], the judge model and rubric version
 * that gave it.
 */
public record JudgeScore(double score, String reason, String judgeModel, String rubricVersion) {}
