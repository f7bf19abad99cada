package dev.promptcanary.activities.model;

/**
 * What a judge scores: the input the app sent, the output it got, against a rubric (pinned per
 * rollout).
 */
public record JudgeRequest(String rubric, String input, String output) {}
