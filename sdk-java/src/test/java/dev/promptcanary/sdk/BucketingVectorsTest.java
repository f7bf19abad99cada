package dev.promptcanary.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SDK places every unit as the server does: the published vectors (generated from the server's
 * {@code Route}). The hash itself is checked against Guava's in the serving module's {@code
 * Murmur3Test}.
 */
class BucketingVectorsTest {
  @Test
  void everyPublishedVectorIsReproduced() throws Exception {
    JsonNode vectors =
        new ObjectMapper()
            .readTree(Path.of("..", "sdk-vectors", "bucketing.json").toFile())
            .path("vectors");
    assertThat(vectors.size()).isGreaterThan(200);
    List<String> wrong = new ArrayList<>();
    for (JsonNode v : vectors) {
      int bucket =
          Buckets.bucket(
              v.path("prompt").asText(), v.path("salt").asText(), v.path("unit").asText());
      if (bucket != v.path("bucket").asInt()) {
        wrong.add(v + " -> " + bucket);
      }
    }
    assertThat(wrong).isEmpty();
  }
}
