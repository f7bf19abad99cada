package dev.promptcanary.api;

import dev.promptcanary.activities.routing.RoutingSynchronizer;
import io.dropwizard.lifecycle.Managed;

/** Loads routing before the API takes traffic, and keeps it in step until shutdown. */
final class ManagedRoutingSync implements Managed {
  private final RoutingSynchronizer synchronizer;

  ManagedRoutingSync(RoutingSynchronizer synchronizer) {
    this.synchronizer = synchronizer;
  }

  @Override
  public void start() {
    synchronizer.start();
  }

  @Override
  public void stop() {
    synchronizer.close();
  }
}
