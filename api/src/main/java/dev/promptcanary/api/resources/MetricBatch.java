package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.OutcomeMetric;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** The body of {@code POST /v1/metrics}. */
public record MetricBatch(@NotEmpty List<@Valid @NotNull OutcomeMetric> metrics) {}
