package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Rollout answers recorded from {@code GET /v1/rollouts/{id}} of a real demo run (v2 of {@code
 * support-demo}): in stage 1 short of judge scores, in stage 2 with every gate passing, and
 * promoted.
 */
final class Fixtures {
  private Fixtures() {}

  static ObjectNode rollout(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/rollouts/" + name + ".json")) {
      return (ObjectNode) ApiClient.JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same answer with the live state (and pause reason) changed. */
  static ObjectNode withLiveState(String name, String state, String pauseReason) {
    ObjectNode rollout = rollout(name);
    ObjectNode live = (ObjectNode) rollout.get("live");
    live.put("state", state);
    if (pauseReason == null) {
      live.putNull("pauseReason");
    } else {
      live.put("pauseReason", pauseReason);
    }
    return rollout;
  }

  static String text(JsonNode node) {
    return node.toString();
  }
}
