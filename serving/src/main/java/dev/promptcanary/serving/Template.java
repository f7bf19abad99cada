package dev.promptcanary.serving;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt template's {@code {{name}}} placeholders (spaces inside the braces allowed, names of
 * letters, digits and {@code _} not starting with a digit), read the same by the server's registry
 * and renderer and by the SDK's local render. Anything else in braces is left as it stands.
 */
public final class Template {
  private static final Pattern VARIABLE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

  private Template() {}

  /** The placeholders' names, in order of first appearance. */
  public static List<String> variables(String template) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = VARIABLE.matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return List.copyOf(names);
  }

  /**
   * The template with every placeholder replaced by its value, taken literally ({@code $} and
   * {@code \} included); values for names the template lacks are ignored. Throws
   * IllegalArgumentException naming the first placeholder {@code variables} has no value for.
   */
  public static String fill(String template, Map<String, String> variables) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("template variable '" + m.group(1) + "' has no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
