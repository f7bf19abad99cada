package dev.promptcanary.activities.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The published bucketing vectors ({@code sdk-vectors/bucketing.json}) that every SDK's tests read:
 * generated here from {@link Route}, the server's own placement, and compared with the file, so a
 * change of either fails the build. {@code -Dpromptcanary.writeVectors=true} rewrites the file
 * (only ever on purpose: a change moves users between versions mid-rollout).
 */
class BucketingVectorsTest {
  static final Path FILE = Path.of("..", "sdk-vectors", "bucketing.json");
  static final ObjectMapper JSON = new ObjectMapper();

  /** The three kinds of salt a route has: none, a manual canary's, a rollout's id. */
  static final List<RoutingState> STATES =
      List.of(
          state("support", null, null),
          state("support", 2, null),
          state("support", 3, "rollout-support-0b6f2a9e"),
          state("checkout.summary-v2", 7, null),
          state("checkout.summary-v2", 8, "rollout-checkout.summary-v2-9c1d"),
          state("a", null, null));

  static RoutingState state(String prompt, Integer canary, String rolloutId) {
    return new RoutingState(
        prompt, 1, canary, canary == null ? 0 : 500, rolloutId, 1, Instant.EPOCH);
  }

  static List<String> units() {
    List<String> units = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      units.add("session-" + i);
    }
    units.addAll(
        List.of(
            "u",
            "user@example.com",
            "550e8400-e29b-41d4-a716-446655440000",
            " leading and trailing spaces ",
            "tab\tinside",
            "ünïcödé",
            "日本語のセッション",
            "emoji 🐤 and 𝄞 (outside the BMP)",
            "0",
            "x".repeat(200)));
    return units;
  }

  static String generate() throws Exception {
    StringBuilder out = new StringBuilder();
    out.append("{\n");
    out.append(
        "  \"description\": \"(prompt, salt, unit) -> bucket, generated from the server's Route by"
            + " BucketingVectorsTest; every SDK must reproduce each bucket exactly\",\n");
    out.append(
        "  \"algorithm\": \"seed = murmur3_32(seed 0, UTF-8 of prompt + U+0000 + salt); bucket ="
            + " unsigned(murmur3_32(seed, UTF-8 of unit)) mod 10000; a unit is in the canary when"
            + " bucket < canaryWeightBp\",\n");
    out.append("  \"vectors\": [\n");
    List<String> lines = new ArrayList<>();
    for (RoutingState state : STATES) {
      Route route = new Route(state, null, null);
      for (String unit : units()) {
        // One vector per line, fields in a fixed order, so a diff of the file reads well.
        lines.add(
            "    {\"prompt\": "
                + JSON.writeValueAsString(state.prompt())
                + ", \"salt\": "
                + JSON.writeValueAsString(route.salt())
                + ", \"unit\": "
                + JSON.writeValueAsString(unit)
                + ", \"bucket\": "
                + route.bucketOf(unit)
                + "}");
      }
    }
    out.append(String.join(",\n", lines)).append("\n  ]\n}\n");
    return out.toString();
  }

  @Test
  void thePublishedVectorsAreWhatRoutePlaces() throws Exception {
    String generated = generate();
    if (Boolean.getBoolean("promptcanary.writeVectors")) {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(FILE))
        .as(FILE.toAbsolutePath() + " is missing: run with -Dpromptcanary.writeVectors=true")
        .isTrue();
    assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
        .as(
            "sdk-vectors/bucketing.json differs from what Route places: either Route's placement"
                + " changed (which moves users mid-rollout) or the file was edited")
        .isEqualTo(generated);
  }

  @Test
  void theVectorsCoverEverySaltKindAndUnitsOutsideTheBmp() throws Exception {
    var vectors = JSON.readTree(generate()).path("vectors");
    assertThat(vectors.size()).isEqualTo(STATES.size() * units().size());
    List<String> salts = new ArrayList<>();
    vectors.forEach(v -> salts.add(v.path("salt").asText()));
    assertThat(salts).contains("", "canary-v2", "rollout-support-0b6f2a9e");
    // Buckets spread over the range (a constant function would pass an echo test).
    assertThat(vectors.findValuesAsText("bucket").stream().distinct().count()).isGreaterThan(200);
  }
}
