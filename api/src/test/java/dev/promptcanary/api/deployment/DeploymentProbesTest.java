package dev.promptcanary.api.deployment;

import static dev.promptcanary.api.deployment.DeploymentFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.PromptCanaryConfiguration;
import dev.promptcanary.api.TestApps;
import dev.promptcanary.api.deployment.DeploymentFiles.PortKind;
import dev.promptcanary.api.deployment.DeploymentFiles.Probe;
import dev.promptcanary.api.deployment.DeploymentFiles.Process;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The probes the chart and the compose file name, sent to a running API (real PostgreSQL, Temporal
 * unreachable, no key): each probe path answers on the kind of port it names, and the Kubernetes
 * probes answer 200 while Temporal is down, since resolve and ingest keep serving then.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class DeploymentProbesTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP = TestApps.api(DB);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void chartProbesAnswer200WithTemporalDown() throws Exception {
    Map<String, Object> values = DeploymentFiles.yaml(DeploymentFiles.CHART.resolve("values.yaml"));
    for (String component : List.of("api", "worker")) {
      for (Map.Entry<String, Object> probe : map(values, component, "probes").entrySet()) {
        Map<String, Object> settings = map(probe.getValue());
        PortKind kind =
            "admin".equals(settings.get("port")) ? PortKind.ADMIN : PortKind.APPLICATION;
        HttpResponse<String> answer = get(kind, String.valueOf(settings.get("path")));
        assertThat(answer.statusCode())
            .as("%s %s probe %s", component, probe.getKey(), settings)
            .isEqualTo(200);
      }
    }
    HttpResponse<String> scrape =
        get(PortKind.ADMIN, String.valueOf(map(values, "metrics").get("path")));
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).contains("# TYPE jvm_memory_used_bytes");
  }

  /**
   * Compose's health checks read /healthcheck, which reports Temporal too: it exists on the admin
   * port and, with Temporal down here, says so (a 503 naming it) instead of passing.
   */
  @Test
  void composeHealthChecksReachTheAdminHealthEndpoint() throws Exception {
    for (Process process : DeploymentFiles.composeProcesses()) {
      PromptCanaryConfiguration config = DeploymentFiles.load(process.configFile(), process.env());
      for (Probe probe : process.probes()) {
        PortKind kind = DeploymentFiles.kindOf(config, probe.port()).orElseThrow();
        HttpResponse<String> answer = get(kind, probe.path());
        assertThat(answer.statusCode()).as("%s %s", process.origin(), probe).isNotEqualTo(404);
        if (probe.path().equals("/healthcheck")) {
          assertThat(answer.statusCode()).isEqualTo(503);
          assertThat(answer.body()).contains("\"temporal\"").contains("\"postgresql\"");
        }
      }
    }
  }

  private static HttpResponse<String> get(PortKind kind, String path) throws Exception {
    int port = kind == PortKind.ADMIN ? APP.getAdminPort() : APP.getLocalPort();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
