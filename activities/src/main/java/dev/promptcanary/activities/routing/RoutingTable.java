package dev.promptcanary.activities.routing;

import dev.promptcanary.serving.RoutingSnapshot;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The routes this node serves from memory. Safe for concurrent readers and writers. */
public final class RoutingTable {
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
  private final List<Consumer<Route>> listeners = new CopyOnWriteArrayList<>();

  public Optional<Route> route(String prompt) {
    return Optional.ofNullable(routes.get(prompt));
  }

  /** Every route this node serves now (a live view; each route itself is immutable). */
  public Collection<Route> routes() {
    return routes.values();
  }

  /** What this node serves now, as the routing feed sends it to the SDKs. */
  public RoutingSnapshot snapshot() {
    return RoutingSnapshot.of(routes.values().stream().map(Route::routed).toList());
  }

  /**
   * {@code listener} hears of every route that changes what this node serves (a new prompt, or a
   * routing row with another state), after it is installed, on the installing thread. A reload that
   * finds the row as it was is not a change.
   */
  public void onChange(Consumer<Route> listener) {
    listeners.add(listener);
  }

  /**
   * Installs a freshly loaded route unless a newer one is already here: a full reload that read the
   * row before a change must not undo the change a notification has already delivered.
   */
  public void install(Route route) {
    boolean[] changed = {false};
    routes.compute(
        route.state().prompt(),
        (prompt, current) -> {
          if (current == null || route.state().fenceSeq() >= current.state().fenceSeq()) {
            changed[0] = current == null || !current.state().equals(route.state());
            return route;
          }
          return current;
        });
    if (changed[0]) {
      listeners.forEach(listener -> listener.accept(route));
    }
  }

  public int size() {
    return routes.size();
  }
}
