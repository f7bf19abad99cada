package dev.promptcanary.activities.model;

/** An LLM-as-judge: scores one response against a rubric. */
public interface Judge {
  JudgeScore score(JudgeRequest request) throws JudgeException;
}
