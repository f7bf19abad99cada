package dev.promptcanary.activities.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptRendererTest {
  private static final PromptContent CONTENT =
      new PromptContent(
          "Be brief.",
          List.of(new FewShotExample("Hi", "Hello!")),
          "{{name}} asks: {{ question }} ($1 ok)",
          "sim-model",
          Map.of("temperature", 0.2));

  @Test
  void rendersSystemFewShotAndTheFilledTemplate() {
    ChatRequest request =
        PromptRenderer.render(CONTENT, Map.of("name", "Ana", "question", "where is $order?"));
    assertThat(request.model()).isEqualTo("sim-model");
    assertThat(request.parameters()).containsEntry("temperature", 0.2);
    assertThat(request.messages())
        .containsExactly(
            ChatMessage.system("Be brief."),
            ChatMessage.user("Hi"),
            ChatMessage.assistant("Hello!"),
            ChatMessage.user("Ana asks: where is $order? ($1 ok)"));
  }

  @Test
  void aMissingVariableIsNamed() {
    assertThatThrownBy(() -> PromptRenderer.render(CONTENT, Map.of("name", "Ana")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'question'");
  }
}
