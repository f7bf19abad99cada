package dev.promptcanary.api;

/**
 * What one process runs: the API, the Temporal worker, or both (the embedded {@code dev} stack).
 */
public enum ProcessRole {
  API,
  WORKER,
  ALL;

  public boolean servesApi() {
    return this != WORKER;
  }

  public boolean runsWorker() {
    return this != API;
  }
}
