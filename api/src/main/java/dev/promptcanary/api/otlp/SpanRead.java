package dev.promptcanary.api.otlp;

import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import java.util.List;

/** What one OTLP span is to promptcanary. */
public sealed interface SpanRead {
  /** A span that is not about a prompt (it carries no {@code promptcanary.prompt}): not ours. */
  record Ignored() implements SpanRead {}

  /** A prompt's span that cannot be stored as it is, and why; {@code span} names it for people. */
  record Rejected(String span, String reason) implements SpanRead {}

  /** The observation of a prompt's span and the judge scores it carries. */
  record Outcomes(String span, Observation observation, List<Judgement> judgements)
      implements SpanRead {}
}
