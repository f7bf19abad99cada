package dev.promptcanary.activities.routing;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The routes this node serves from memory. Safe for concurrent readers and writers. */
public final class RoutingTable {
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();

  public Optional<Route> route(String prompt) {
    return Optional.ofNullable(routes.get(prompt));
  }

  /**
   * Installs a freshly loaded route unless a newer one is already here: a full reload that read the
   * row before a change must not undo the change a notification has already delivered.
   */
  public void install(Route route) {
    routes.merge(
        route.state().prompt(),
        route,
        (current, loaded) ->
            loaded.state().fenceSeq() >= current.state().fenceSeq() ? loaded : current);
  }

  public int size() {
    return routes.size();
  }
}
