package dev.promptcanary.sdk;

import dev.promptcanary.serving.BackgroundLoop;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.RoutedPrompt;
import dev.promptcanary.serving.RoutingSnapshot;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the client's routing in step with the server: one long-poll at a time on {@code GET
 * /v1/routing/stream} with the ETag it holds, answered by the server as soon as any node's routing
 * changes. A new snapshot is served only once every version it names is here (fetched once, kept
 * for ever), and swapped in whole. While the server is unreachable the last routing keeps serving,
 * the health says so, and the poll is retried with jittered exponential backoff.
 */
final class Routing implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Routing.class.getName());

  /** What resolves read: swapped whole, never changed in place. */
  record View(String etag, Map<String, LocalRoute> routes, Health.Source source, Instant at) {}

  private final Http http;
  private final SnapshotFile file;
  private final Duration pollWait;
  private final Duration maxBackoff;
  private final Map<String, PromptVersion> versions = new ConcurrentHashMap<>();
  private final CountDownLatch firstFromServer = new CountDownLatch(1);
  private final BackgroundLoop loop;
  private volatile View view = new View(null, Map.of(), Health.Source.NONE, null);
  private volatile boolean connected;
  private volatile String lastError;

  Routing(Http http, SnapshotFile file, Duration pollWait, Duration maxBackoff) {
    this.http = http;
    this.file = file;
    this.pollWait = pollWait;
    this.maxBackoff = maxBackoff;
    this.loop = new BackgroundLoop("promptcanary-routing", this::run);
  }

  /** Serves the snapshot on disk, if any, then starts polling. */
  void start() {
    if (file != null) {
      file.load()
          .ifPresent(
              saved -> {
                saved.versions().forEach(v -> versions.put(key(v.prompt(), v.version()), v));
                try {
                  install(saved.snapshot(), Health.Source.DISK);
                } catch (IllegalStateException incomplete) {
                  LOG.warning("ignoring the routing snapshot on disk: " + incomplete.getMessage());
                }
              });
    }
    loop.start();
  }

  boolean awaitServer(Duration timeout) throws InterruptedException {
    return firstFromServer.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  View view() {
    return view;
  }

  boolean connected() {
    return connected;
  }

  String lastError() {
    return lastError;
  }

  private void run() {
    int failures = 0;
    while (loop.running()) {
      try {
        poll();
        connected = true;
        lastError = null;
        failures = 0;
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (!loop.running()) {
          return;
        }
        connected = false;
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        failures++;
        try {
          Thread.sleep(backoffMillis(failures));
        } catch (InterruptedException stopped) {
          return;
        }
      }
    }
  }

  /** 100 ms doubling per failure up to {@code maxBackoff}, each drawn in [half, full]. */
  private long backoffMillis(int failures) {
    long full = Math.min(maxBackoff.toMillis(), 100L << Math.min(failures - 1, 20));
    return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
  }

  private void poll() throws IOException, InterruptedException {
    View current = view;
    // Before the first answer of this server, ask at once (no ETag): a snapshot from disk is
    // checked against the server's rather than trusted for a whole poll.
    String held = current.source() == Health.Source.SERVER ? current.etag() : null;
    // After a failure, ask without waiting: a server that is back answers at once (304 when
    // nothing changed), so the SDK says it is connected again within its backoff, not a whole
    // long poll later.
    long wait = connected ? pollWait.toSeconds() : 0;
    HttpResponse<String> reply =
        http.get("/v1/routing/stream?wait=" + wait, held, pollWait.plusSeconds(10));
    if (reply.statusCode() == 304) {
      return;
    }
    if (reply.statusCode() != 200) {
      throw new IOException(
          "GET /v1/routing/stream answered " + reply.statusCode() + ": " + body(reply));
    }
    RoutingSnapshot snapshot = Json.MAPPER.readValue(reply.body(), RoutingSnapshot.class);
    fetchMissingVersions(snapshot);
    install(snapshot, Health.Source.SERVER);
    firstFromServer.countDown();
    save(snapshot);
  }

  private static String body(HttpResponse<String> reply) {
    String body = reply.body();
    return body == null || body.length() <= 300 ? body : body.substring(0, 300) + "...";
  }

  private void fetchMissingVersions(RoutingSnapshot snapshot)
      throws IOException, InterruptedException {
    for (RoutedPrompt p : snapshot.prompts()) {
      fetch(p.prompt(), p.stableVersion(), p.stableContentHash());
      if (p.canaryVersion() != null) {
        fetch(p.prompt(), p.canaryVersion(), p.canaryContentHash());
      }
    }
  }

  private void fetch(String prompt, int version, String contentHash)
      throws IOException, InterruptedException {
    String key = key(prompt, version);
    if (versions.containsKey(key)) {
      return;
    }
    HttpResponse<String> reply =
        http.get(
            "/v1/routing/versions/"
                + URLEncoder.encode(prompt, StandardCharsets.UTF_8)
                + "/"
                + version,
            null,
            Duration.ofSeconds(10));
    if (reply.statusCode() != 200) {
      throw new IOException(
          "GET version " + version + " of " + prompt + " answered " + reply.statusCode());
    }
    PromptVersion fetched = Json.MAPPER.readValue(reply.body(), PromptVersion.class);
    if (contentHash != null && !contentHash.equals(fetched.contentHash())) {
      throw new IOException(
          "version "
              + version
              + " of "
              + prompt
              + " has content "
              + fetched.contentHash()
              + ", the routing names "
              + contentHash);
    }
    versions.put(key, fetched);
  }

  /**
   * Swaps in the routing of {@code snapshot}, keeping for each prompt the newer of what is served
   * and what arrived (by fence sequence), as the server's routing table does: an answer from a node
   * that lags never undoes a change already served.
   */
  private synchronized void install(RoutingSnapshot snapshot, Health.Source source) {
    Map<String, LocalRoute> before = view.routes();
    Map<String, LocalRoute> routes = new HashMap<>();
    for (RoutedPrompt p : snapshot.prompts()) {
      LocalRoute served = before.get(p.prompt());
      if (served != null && served.routing().fenceSeq() > p.fenceSeq()) {
        routes.put(p.prompt(), served);
        continue;
      }
      PromptVersion stable = required(p.prompt(), p.stableVersion());
      PromptVersion canary =
          p.canaryVersion() == null ? null : required(p.prompt(), p.canaryVersion());
      routes.put(p.prompt(), new LocalRoute(p, stable, canary));
    }
    view = new View(snapshot.etag(), Map.copyOf(routes), source, Instant.now());
  }

  private PromptVersion required(String prompt, int version) {
    PromptVersion v = versions.get(key(prompt, version));
    if (v == null) {
      throw new IllegalStateException("version " + version + " of " + prompt + " is not known");
    }
    return v;
  }

  private void save(RoutingSnapshot snapshot) {
    if (file == null) {
      return;
    }
    List<PromptVersion> named = new ArrayList<>();
    for (RoutedPrompt p : snapshot.prompts()) {
      named.add(versions.get(key(p.prompt(), p.stableVersion())));
      if (p.canaryVersion() != null) {
        named.add(versions.get(key(p.prompt(), p.canaryVersion())));
      }
    }
    try {
      file.save(new SnapshotFile.Saved(snapshot, named));
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not write the routing snapshot to disk", e);
    }
  }

  private static String key(String prompt, int version) {
    return prompt + '\u0000' + version;
  }

  @Override
  public void close() {
    loop.stop();
  }
}
