package dev.promptcanary.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.ResourceConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.logging.common.ConsoleAppenderFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.logging.json.EventJsonLayoutBaseFactory;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * The two log formats a deployment chooses between, built from config files as Dropwizard builds
 * them: the shipped text format ends a line with the rollout's MDC when it has one, and {@code
 * layout: {type: json}} writes one JSON object per line with the MDC in it.
 */
class LoggingOptionsTest {
  static final Map<String, String> ROLLOUT_MDC =
      Map.of("rolloutId", "rollout-support-2", "prompt", "support", "version", "2");

  static YamlConfigurationFactory<PromptCanaryConfiguration> factory() {
    return new YamlConfigurationFactory<>(
        PromptCanaryConfiguration.class,
        Validators.newValidator(),
        Jackson.newObjectMapper(),
        "dw");
  }

  static ILoggingEvent event(LoggerContext context, Map<String, String> mdc) {
    LoggingEvent event =
        new LoggingEvent(
            "test",
            context.getLogger("dev.promptcanary.activities.rollout.AlertSender"),
            Level.INFO,
            "alert rolled_back for rollout rollout-support-2",
            null,
            null);
    event.setMDCPropertyMap(mdc);
    return event;
  }

  static ConsoleAppenderFactory<?> console(PromptCanaryConfiguration config) {
    return (ConsoleAppenderFactory<?>)
        ((DefaultLoggingFactory) config.getLoggingFactory()).getAppenders().get(0);
  }

  @Test
  void theShippedTextFormatEndsALineWithItsMdcAndLeavesOtherLinesAlone() throws Exception {
    for (String file : new String[] {"server.yml", "worker.yml"}) {
      PromptCanaryConfiguration config =
          factory()
              .build(
                  new SubstitutingSourceProvider(
                      new FileConfigurationSourceProvider(),
                      new EnvironmentVariableSubstitutor(false)),
                  "../deployment/config/" + file);
      LoggerContext context = new LoggerContext();
      PatternLayout layout = new PatternLayout();
      layout.setContext(context);
      layout.setPattern(console(config).getLogFormat());
      layout.start();

      String withMdc = layout.doLayout(event(context, ROLLOUT_MDC));
      assertThat(withMdc)
          .as(file)
          .startsWith("INFO  [")
          .contains("AlertSender: alert rolled_back for rollout rollout-support-2 [")
          .contains("rolloutId=rollout-support-2")
          .contains("prompt=support")
          .contains("version=2")
          .endsWith("]" + System.lineSeparator());
      String without = layout.doLayout(event(context, Map.of()));
      assertThat(without)
          .as(file)
          .endsWith(
              "AlertSender: alert rolled_back for rollout rollout-support-2"
                  + System.lineSeparator());
    }
  }

  @Test
  void theJsonLayoutWritesOneObjectPerLineWithTheMdc() throws Exception {
    PromptCanaryConfiguration config =
        factory().build(new ResourceConfigurationSourceProvider(), "json-logging.yml");
    assertThat(console(config).getLayout()).isInstanceOf(EventJsonLayoutBaseFactory.class);
    LoggerContext context = new LoggerContext();
    LayoutBase<ILoggingEvent> layout =
        ((EventJsonLayoutBaseFactory) console(config).getLayout())
            .build(context, TimeZone.getTimeZone("UTC"));
    layout.start();

    String line = layout.doLayout(event(context, ROLLOUT_MDC));
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("level").asText()).isEqualTo("INFO");
    assertThat(json.get("message").asText())
        .isEqualTo("alert rolled_back for rollout rollout-support-2");
    assertThat(json.get("mdc").get("rolloutId").asText()).isEqualTo("rollout-support-2");
    assertThat(json.get("mdc").get("prompt").asText()).isEqualTo("support");
    assertThat(json.get("mdc").get("version").asText()).isEqualTo("2");
  }
}
