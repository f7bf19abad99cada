package dev.promptcanary.activities.registry;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything that decides what the model sees and how it is called. Two versions with equal content
 * are the same version: the content hash is taken over exactly these fields.
 */
public record PromptContent(
    String systemPrompt,
    List<FewShotExample> fewShot,
    String template,
    String model,
    Map<String, Object> parameters) {

  private static final Pattern VARIABLE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

  public PromptContent {
    fewShot = fewShot == null ? List.of() : List.copyOf(fewShot);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  /** The template's {@code {{name}}} placeholders, in order of first appearance. */
  public List<String> variables() {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = VARIABLE.matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return List.copyOf(names);
  }
}
