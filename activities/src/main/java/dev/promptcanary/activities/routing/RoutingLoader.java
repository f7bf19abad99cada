package dev.promptcanary.activities.routing;

import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.serving.PromptVersion;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/** Reads routing rows and the versions they name into a {@link RoutingTable}. */
public final class RoutingLoader {
  private record VersionKey(String prompt, int version) {}

  private final Jdbi jdbi;
  private final RoutingTable table;
  // Versions are immutable, so a version once read never needs reading again.
  private final ConcurrentHashMap<VersionKey, PromptVersion> versions = new ConcurrentHashMap<>();

  public RoutingLoader(Jdbi jdbi, RoutingTable table) {
    this.jdbi = jdbi;
    this.table = table;
  }

  public RoutingTable table() {
    return table;
  }

  public int reloadAll() {
    List<RoutingState> states = jdbi.onDemand(RoutingDao.class).findAll();
    states.forEach(state -> table.install(toRoute(state)));
    return states.size();
  }

  public Optional<Route> reload(String prompt) {
    Optional<Route> route = jdbi.onDemand(RoutingDao.class).find(prompt).map(this::toRoute);
    route.ifPresent(table::install);
    return route;
  }

  private Route toRoute(RoutingState state) {
    PromptVersion stable = version(state.prompt(), state.stableVersion());
    PromptVersion canary =
        state.canaryVersion() == null ? null : version(state.prompt(), state.canaryVersion());
    return new Route(state, stable, canary);
  }

  private PromptVersion version(String prompt, int version) {
    return versions.computeIfAbsent(
        new VersionKey(prompt, version),
        key ->
            jdbi.onDemand(PromptDao.class)
                .findVersion(prompt, version)
                .orElseThrow(
                    () -> new IllegalStateException("routing names missing version " + key)));
  }
}
