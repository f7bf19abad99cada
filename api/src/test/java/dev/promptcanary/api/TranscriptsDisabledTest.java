package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.api.TestApps.Http;
import dev.promptcanary.api.TestApps.Http.Reply;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class TranscriptsDisabledTest {
  static final DropwizardAppExtension<PromptCanaryConfiguration> APP =
      TestApps.api(TestDatabases.fresh());

  @Test
  void withLiveJudgingOffTranscriptsAnswer503() {
    Reply reply =
        new Http(APP)
            .post(
                "/v1/transcripts",
                "{\"transcripts\":[{\"requestId\":\"r\",\"prompt\":\"chat\",\"version\":1,\"input\":\"i\",\"output\":\"o\"}]}");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.body().get("message").asText()).contains("live judging is off");
    assertThat(APP.getEnvironment().healthChecks().getNames()).doesNotContain("judge");
  }
}
