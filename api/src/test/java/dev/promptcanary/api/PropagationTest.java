package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two API nodes over one database: a routing change made through one is served by the other
 * (bench/propagation times it).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class PropagationTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_A = TestApps.api(DB);
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_B = TestApps.api(DB);

  @Test
  void aRoutingChangeThroughOneNodeReachesTheOther() throws Exception {
    Http a = new Http(NODE_A);
    Http b = new Http(NODE_B);
    a.post("/v1/prompts/shared/versions", TestApps.version(1));
    a.post("/v1/prompts/shared/versions", TestApps.version(2));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.get("/v1/prompts/shared/resolve?unit=x").status() == 200);

    // How fast is bench/propagation's business; here that the change arrives at all.
    assertThat(
            a.put(
                    "/v1/prompts/shared/routing",
                    "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":10000,\"actor\":\"ana\",\"reason\":\"all in\"}")
                .status())
        .isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.get("/v1/prompts/shared/resolve?unit=x").body().get("version").asInt() == 2);
  }
}
