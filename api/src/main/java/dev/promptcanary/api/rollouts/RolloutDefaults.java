package dev.promptcanary.api.rollouts;

import dev.promptcanary.workflows.rollout.InconclusivePolicy;
import dev.promptcanary.workflows.rollout.SrmPolicy;
import dev.promptcanary.workflows.rollout.Stage;
import java.util.List;

/**
 * What a rollout does when the request leaves it open: 5% → 25% → 50%, then promotion to 100%; each
 * stage needs 100 judge scores per arm and 15 minutes, and may bake 4 hours before a person is
 * asked.
 */
final class RolloutDefaults {
  static final int MIN_JUDGEMENTS = 100;
  static final long MIN_BAKE_SECONDS = 15 * 60;
  static final long MAX_BAKE_SECONDS = 4 * 3600;
  static final List<Stage> STAGES = List.of(stage(500), stage(2500), stage(5000));
  static final InconclusivePolicy POLICY = InconclusivePolicy.EXTEND;
  static final SrmPolicy SRM_POLICY = SrmPolicy.HOLD;
  static final int MAX_EXTENSIONS = 2;
  static final long CHECK_INTERVAL_SECONDS = 60;

  private RolloutDefaults() {}

  private static Stage stage(int weightBp) {
    return new Stage(weightBp, MIN_JUDGEMENTS, MIN_BAKE_SECONDS, MAX_BAKE_SECONDS);
  }
}
