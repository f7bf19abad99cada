package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.Observation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** The body of {@code POST /v1/observations}. */
public record ObservationBatch(@NotEmpty List<@Valid @NotNull Observation> observations) {}
