package dev.promptcanary.workflows.rollout;

/** A person's control of a rollout, for the audit log. */
public record AuditEntry(
    String rolloutId, String prompt, String actor, String action, String reason) {}
