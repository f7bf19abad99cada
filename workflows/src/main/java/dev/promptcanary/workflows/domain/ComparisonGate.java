package dev.promptcanary.workflows.domain;

/**
 * What a gate decided by one always-valid comparison of the arms configures: the analysis builds
 * the comparison from these alone (the gate's kind says the direction and the range). The records'
 * own components provide the methods, so their JSON is unchanged.
 */
public interface ComparisonGate {
  double margin();

  double minimumEffect();

  /** Mixing standard deviation; 0 tunes it to the margin. */
  double tau();

  GateMode mode();

  double minimumPower();
}
