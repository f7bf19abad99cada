package dev.promptcanary.api.resources;

import dev.promptcanary.activities.model.Transcript;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** The body of {@code POST /v1/transcripts}. */
public record TranscriptBatch(@NotEmpty List<@Valid @NotNull Transcript> transcripts) {}
