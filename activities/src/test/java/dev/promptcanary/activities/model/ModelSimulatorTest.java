package dev.promptcanary.activities.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.testkit.ModelSimulator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelSimulatorTest {
  private ModelSimulator sim;
  private OpenAiChatModel client;

  @BeforeEach
  void start() {
    sim = ModelSimulator.start(0);
    client =
        new OpenAiChatModel(
            ModelEndpoint.of(sim.baseUrl(), null, "sim-model")
                .withTimeout(Duration.ofSeconds(10))
                .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1)));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private static ChatRequest ask(String system, String user) {
    return new ChatRequest(
        "sim-model", List.of(ChatMessage.system(system), ChatMessage.user(user)), Map.of(), false);
  }

  @Test
  void errorAndSafetyRatesHoldOverDistinctInputsAndRepeatForTheSameInput() throws Exception {
    String system = "Support agent. [sim quality=0.6 error_rate=0.3 safety_rate=0.2]";
    int errors = 0;
    int flags = 0;
    for (int i = 0; i < 200; i++) {
      try {
        ChatResponse r = client.complete(ask(system, "question " + i));
        assertThat(r.content()).contains("[sim-quality=0.60]");
        if (r.content().startsWith("[sim safety-flag]")) {
          flags++;
        }
      } catch (ModelException e) {
        assertThat(e.status()).isEqualTo(500);
        errors++;
      }
    }
    assertThat(errors).isBetween(35, 85);
    assertThat(flags).isBetween(15, 55);
    ChatResponse once = client.complete(ask(system, "question 1000"));
    assertThat(client.complete(ask(system, "question 1000")))
        .usingRecursiveComparison()
        .ignoringFields("latencyMs")
        .isEqualTo(once);
  }

  @Test
  void qualitySpreadVariesAnswersAroundTheMarker() throws Exception {
    String system = "[sim quality=0.5 quality_spread=0.2]";
    for (int i = 0; i < 20; i++) {
      String content = client.complete(ask(system, "q" + i)).content();
      double q = Double.parseDouble(content.replaceAll(".*\\[sim-quality=([0-9.]+)].*", "$1"));
      assertThat(q).isBetween(0.3, 0.7);
    }
  }

  @Test
  void markersAreParsed() {
    assertThat(ModelSimulator.markers("Be nice. [sim quality=0.7 latency_ms=400] and [sim judge]"))
        .containsEntry("quality", "0.7")
        .containsEntry("latency_ms", "400")
        .containsEntry("judge", "");
    assertThat(ModelSimulator.markers("no markers [simulated]")).isEmpty();
  }

  @Test
  void listsItsModels() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + "/models"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    JsonNode body = new ObjectMapper().readTree(response.body());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(body.findValuesAsText("id")).containsExactly("sim-model", "sim-judge");
  }
}
