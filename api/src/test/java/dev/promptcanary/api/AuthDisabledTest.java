package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.activities.store.TestDatabases.TestDatabase;
import dev.promptcanary.api.TestApps.Http;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code auth.enabled: false}, set explicitly: no key needed, every change made by "anonymous". */
@ExtendWith(DropwizardExtensionsSupport.class)
class AuthDisabledTest {
  static final TestDatabase DB = TestDatabases.fresh();
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      TestApps.api(DB, config -> config.getAuth().setEnabled(false));

  @Test
  void everyRequestMayDoEverythingAsAnonymous() {
    Http anyone = new Http(APP).anonymous();
    assertThat(anyone.post("/v1/prompts/open/versions", TestApps.version(1)).status())
        .isEqualTo(201);
    assertThat(anyone.post("/v1/prompts/open/versions", TestApps.version(2)).status())
        .isEqualTo(201);
    assertThat(
            anyone
                .put(
                    "/v1/prompts/open/routing",
                    "{\"stableVersion\": 2, \"canaryWeightBp\": 0, \"actor\": \"ana\", \"reason\": \"x\"}")
                .status())
        .isEqualTo(200);
    assertThat(anyone.get("/v1/keys").status()).isEqualTo(200);
    var entries = anyone.get("/v1/audit?prompt=open").body().get("entries");
    assertThat(entries.findValuesAsText("actor")).containsOnly("anonymous");
  }
}
