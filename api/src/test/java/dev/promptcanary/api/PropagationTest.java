package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two API nodes over one database: a routing change made through one is served by the other within a second. */
@ExtendWith(DropwizardExtensionsSupport.class)
class PropagationTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_A = TestApps.api(DB);
  static final DropwizardAppExtension<PromptCanaryConfiguration> NODE_B = TestApps.api(DB);

  @Test
  void aRoutingChangeThroughOneNodeReachesTheOtherWithinOneSecond() throws Exception {
    Http a = new Http(NODE_A);
    Http b = new Http(NODE_B);
    a.post("/v1/prompts/shared/versions", TestApps.version(1));
    a.post("/v1/prompts/shared/versions", TestApps.version(2));
    waitUntil(() -> b.get("/v1/prompts/shared/resolve?unit=x").status() == 200, 5_000);

    long start = System.nanoTime();
    assertThat(a.put("/v1/prompts/shared/routing",
        "{\"stableVersion\":1,\"canaryVersion\":2,\"canaryWeightBp\":10000,\"actor\":\"ana\",\"reason\":\"all in\"}")
        .status()).isEqualTo(200);
    waitUntil(() -> b.get("/v1/prompts/shared/resolve?unit=x").body().get("version").asInt() == 2, 5_000);
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(b.get("/v1/prompts/shared/resolve?unit=x").body().get("version").asInt()).isEqualTo(2);
    assertThat(seconds).as("seconds until node B served the change").isLessThan(1.0);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, long timeoutMillis) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
  }
}
