package dev.promptcanary.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.activities.model.ChatRequest;
import dev.promptcanary.activities.model.PromptRenderer;
import dev.promptcanary.serving.Arm;
import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.Resolution;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Resolved#render} builds the call the server's renderer builds, message for message. */
class RenderTest {
  static Resolved resolvedWith(PromptContent content) {
    return new Resolved(
        new Resolution(
            "p",
            1,
            Arm.STABLE,
            0,
            0,
            null,
            false,
            false,
            null,
            new PromptVersion("p", 1, "sha256:x", content, List.of(), "ana", null)),
        "u");
  }

  @Test
  void renderEqualsTheServersRenderer() {
    PromptContent content =
        new PromptContent(
            "You are concise.",
            List.of(new FewShotExample("hi", "hello"), new FewShotExample("a $1 \\ b", "ok")),
            "Customer {{name}} asks: {{ question }} ({{name}}) {{unknown-not-a-var}}",
            "sim-model",
            Map.of("temperature", 0.2));
    Map<String, String> vars = Map.of("name", "Ana $2 \\x", "question", "where is {{name}}?");
    Rendered mine = resolvedWith(content).render(vars);
    ChatRequest server = PromptRenderer.render(content, vars);
    assertThat(mine.model()).isEqualTo(server.model());
    assertThat(mine.parameters()).isEqualTo(server.parameters());
    assertThat(mine.messages().stream().map(m -> m.role() + ": " + m.content()).toList())
        .isEqualTo(server.messages().stream().map(m -> m.role() + ": " + m.content()).toList());
  }

  @Test
  void aMissingVariableIsNamed() {
    PromptContent content = new PromptContent("", List.of(), "Hi {{name}}", "m", Map.of());
    assertThatThrownBy(() -> resolvedWith(content).render(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'name'");
  }
}
