package dev.promptcanary.api.resources;

import dev.promptcanary.serving.FewShotExample;
import dev.promptcanary.serving.PromptContent;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /v1/prompts/{name}/versions}. */
public record CreateVersionRequest(
    @NotNull @Size(max = 100_000) String systemPrompt,
    @Size(max = 100) List<@Valid @NotNull FewShotExampleRequest> fewShot,
    @NotBlank @Size(max = 100_000) String template,
    @NotBlank @Size(max = 200) String model,
    @Size(max = 50) Map<String, Object> parameters, // values checked by ParameterRules
    @NotBlank @Size(max = 200) String author) {

  /** One few-shot example as sent. */
  public record FewShotExampleRequest(
      @NotNull @Size(max = 100_000) String user, @NotNull @Size(max = 100_000) String assistant) {}

  PromptContent content() {
    List<FewShotExample> examples =
        fewShot == null
            ? List.of()
            : fewShot.stream().map(e -> new FewShotExample(e.user(), e.assistant())).toList();
    return new PromptContent(systemPrompt, examples, template, model, parameters);
  }
}
