package dev.promptcanary.activities.eval;

/** The answer to "store this suite": the version holding it, and whether this call created it. */
public record CreatedSuite(StoredEvalSuite suite, boolean created) {}
