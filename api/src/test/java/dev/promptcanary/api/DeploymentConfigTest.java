package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped config files parse and validate with their defaults, as the real commands will read
 * them.
 */
class DeploymentConfigTest {

  @ParameterizedTest
  @ValueSource(strings = {"server.yml", "worker.yml"})
  void shippedConfigFilesAreValid(String file) throws Exception {
    YamlConfigurationFactory<PromptCanaryConfiguration> factory =
        new YamlConfigurationFactory<>(
            PromptCanaryConfiguration.class,
            Validators.newValidator(),
            Jackson.newObjectMapper(),
            "dw");
    PromptCanaryConfiguration config =
        factory.build(
            new SubstitutingSourceProvider(
                new FileConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)),
            "../deployment/config/" + file);

    assertThat(config.getDatabase().getUrl()).startsWith("jdbc:postgresql://");
    assertThat(config.getTemporal().getTarget()).isEqualTo("localhost:7233");
    assertThat(config.getTemporal().getTaskQueue()).isEqualTo("promptcanary-rollouts");
    assertThat(config.isMigrateOnStart()).isTrue();
    // API keys are on unless a deployment switches them off explicitly.
    assertThat(config.getAuth().isEnabled()).isTrue();
  }
}
