package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.Judgement;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** The body of {@code POST /v1/judgements}. */
public record JudgementBatch(@NotEmpty List<@Valid @NotNull Judgement> judgements) {}
