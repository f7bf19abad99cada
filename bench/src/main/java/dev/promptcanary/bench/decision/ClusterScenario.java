package dev.promptcanary.bench.decision;

import dev.promptcanary.workflows.domain.GatesConfig;
import java.util.function.UnaryOperator;

/**
 * One clustered-traffic setting: sessions of several correlated requests, pinned to their first
 * version, over one or more stages.
 *
 * @param name short id used in the table and the JSON
 * @param description one line
 * @param truth how outcomes are scored
 * @param stageWeightsBp the canary weight of each stage; each stage analyses only the units first
 *     exposed in it, at alpha / stages (as the rollout does)
 * @param unitShareShift added to the weight to give the share of new sessions that actually reach
 *     the canary (0 except in the SRM scenario)
 * @param horizon canary requests of a stage's units after which the stage stops waiting (held)
 * @param traffic sessions, their lengths, correlations and judge delay
 * @param stable stable arm
 * @param canary canary arm
 * @param gates the gate configuration, from the defaults
 */
record ClusterScenario(
    String name,
    String description,
    Truth truth,
    int[] stageWeightsBp,
    double unitShareShift,
    int horizon,
    Traffic traffic,
    SessionArm stable,
    SessionArm canary,
    UnaryOperator<GatesConfig> gates) {}
