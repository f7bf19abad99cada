package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code prompt push|list|show|diff}: the prompt registry. */
@Command(
    name = "prompt",
    description = "Prompt versions: push, list, show, diff.",
    mixinStandardHelpOptions = true,
    subcommands = {
      PromptCommands.Push.class,
      PromptCommands.ListPrompts.class,
      PromptCommands.Show.class,
      PromptCommands.Diff.class
    })
final class PromptCommands {

  @Command(
      name = "push",
      description = {
        "Stores a prompt version from a YAML or JSON file: the body of POST"
            + " /v1/prompts/{name}/versions (systemPrompt, fewShot, template, model, parameters,"
            + " author) plus `name`, or --name. The same content again is the existing version."
      },
      mixinStandardHelpOptions = true)
  static final class Push extends ApiCommand {
    @Parameters(paramLabel = "FILE", description = "the version's file (- for standard input)")
    String file;

    @Option(names = "--name", description = "the prompt's name (default: the file's `name`)")
    String name;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      ObjectNode body = (ObjectNode) Documents.read(file);
      JsonNode named = body.remove("name");
      String prompt = name != null ? name : named == null || named.isNull() ? null : named.asText();
      if (prompt == null || prompt.isBlank()) {
        throw new ApiError(0, file + ": no prompt name: give `name` in the file or --name", "name");
      }
      JsonNode created = api.post("/v1/prompts/" + ApiClient.segment(prompt) + "/versions", body);
      if (output.json()) {
        Output.printJson(out(), created);
      } else {
        out()
            .println(
                created.path("prompt").asText(prompt)
                    + "@"
                    + created.path("version").asInt()
                    + " "
                    + created.path("contentHash").asText(""));
      }
      return PromptCanaryCli.OK;
    }
  }

  @Command(
      name = "list",
      description = "Prompts with their latest, stable and canary versions.",
      mixinStandardHelpOptions = true)
  static final class ListPrompts extends ApiCommand {
    @Option(names = "--limit", description = "at most this many (default 100)")
    int limit = 100;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      JsonNode prompts = api.get("/v1/prompts?limit=" + limit);
      if (output.json()) {
        Output.printJson(out(), prompts);
        return PromptCanaryCli.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode p : prompts) {
        rows.add(
            List.of(
                p.path("name").asText(),
                "v" + p.path("latestVersion").asInt(),
                "v" + p.path("stableVersion").asInt(),
                p.hasNonNull("canaryVersion")
                    ? "v"
                        + p.path("canaryVersion").asInt()
                        + " at "
                        + Text.percent(p.path("canaryWeightBp").asLong())
                    : "-",
                Text.text(p, "rolloutId", "-")));
      }
      Text.table(List.of("PROMPT", "LATEST", "STABLE", "CANARY", "ROLLOUT"), rows)
          .forEach(out()::println);
      return PromptCanaryCli.OK;
    }
  }

  @Command(
      name = "show",
      description = "One version (NAME@VERSION), or the latest (NAME).",
      mixinStandardHelpOptions = true)
  static final class Show extends ApiCommand {
    @Parameters(paramLabel = "NAME[@VERSION]")
    String ref;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      int at = ref.lastIndexOf('@');
      String name = at < 0 ? ref : ref.substring(0, at);
      JsonNode version = fetch(api, name, at < 0 ? null : ref.substring(at + 1));
      if (output.json()) {
        Output.printJson(out(), version);
      } else {
        render(out(), version);
      }
      return PromptCanaryCli.OK;
    }

    private static void render(PrintWriter out, JsonNode v) {
      JsonNode c = v.path("content");
      out.println(
          v.path("prompt").asText()
              + "@"
              + v.path("version").asInt()
              + "  by "
              + v.path("author").asText()
              + "  "
              + v.path("createdAt").asText()
              + "  "
              + v.path("contentHash").asText());
      out.println("model: " + c.path("model").asText());
      out.println("parameters: " + parameters(c.path("parameters")));
      List<String> variables = new ArrayList<>();
      v.path("variables").forEach(x -> variables.add(x.asText()));
      out.println("variables: " + (variables.isEmpty() ? "-" : String.join(", ", variables)));
      out.println("--- system prompt");
      out.println(c.path("systemPrompt").asText());
      int i = 0;
      for (JsonNode shot : c.path("fewShot")) {
        i++;
        out.println("--- few-shot " + i + " user");
        out.println(shot.path("user").asText());
        out.println("--- few-shot " + i + " assistant");
        out.println(shot.path("assistant").asText());
      }
      out.println("--- template");
      out.println(c.path("template").asText());
    }
  }

  @Command(
      name = "diff",
      description =
          "What changed from version A to B: system prompt, few-shot, template, model and"
              + " parameters; unified by default.",
      mixinStandardHelpOptions = true)
  static final class Diff extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "A")
    String a;

    @Parameters(index = "2", paramLabel = "B")
    String b;

    @Option(
        names = {"-y", "--side-by-side"},
        description = "two columns instead of a unified diff")
    boolean sideBySide;

    @Option(names = "--width", description = "total width of --side-by-side (default 160)")
    int width = 160;

    @Override
    int run(ApiClient api) throws Exception {
      JsonNode left = fetch(api, name, a).path("content");
      JsonNode right = fetch(api, name, b).path("content");
      PrintWriter out = out();
      out.println("--- " + name + "@" + a);
      out.println("+++ " + name + "@" + b);
      boolean any = false;
      for (Map.Entry<String, List<String>[]> section : sections(left, right).entrySet()) {
        List<TextDiff.Line> diff = TextDiff.diff(section.getValue()[0], section.getValue()[1]);
        if (!TextDiff.changed(diff)) {
          continue;
        }
        any = true;
        out.println("@@ " + section.getKey());
        (sideBySide
                ? TextDiff.sideBySide(diff, Math.max(20, (width - 3) / 2))
                : TextDiff.unified(diff))
            .forEach(out::println);
      }
      if (!any) {
        out.println("(no difference in content)");
      }
      return PromptCanaryCli.OK;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>[]> sections(JsonNode a, JsonNode b) {
      Map<String, List<String>[]> sections = new java.util.LinkedHashMap<>();
      sections.put(
          "system prompt", new List[] {lines(a, "systemPrompt"), lines(b, "systemPrompt")});
      sections.put("few-shot", new List[] {fewShot(a), fewShot(b)});
      sections.put("template", new List[] {lines(a, "template"), lines(b, "template")});
      sections.put("model", new List[] {lines(a, "model"), lines(b, "model")});
      sections.put(
          "parameters",
          new List[] {parameterLines(a.path("parameters")), parameterLines(b.path("parameters"))});
      return sections;
    }

    private static List<String> lines(JsonNode content, String field) {
      return content.path(field).isMissingNode() || content.path(field).isNull()
          ? List.of()
          : List.of(content.path(field).asText().split("\n", -1));
    }

    private static List<String> fewShot(JsonNode content) {
      List<String> lines = new ArrayList<>();
      int i = 0;
      for (JsonNode shot : content.path("fewShot")) {
        i++;
        for (String l : shot.path("user").asText().split("\n", -1)) {
          lines.add("[" + i + "] user: " + l);
        }
        for (String l : shot.path("assistant").asText().split("\n", -1)) {
          lines.add("[" + i + "] assistant: " + l);
        }
      }
      return lines;
    }

    /** One line per parameter, sorted by name, so a diff shows each change on its own line. */
    private static List<String> parameterLines(JsonNode parameters) {
      Map<String, String> sorted = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = parameters.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        sorted.put(e.getKey(), e.getValue().toString());
      }
      List<String> lines = new ArrayList<>();
      sorted.forEach((k, v) -> lines.add(k + ": " + v));
      return lines;
    }
  }

  /** A version by number, or the latest when {@code version} is null. */
  static JsonNode fetch(ApiClient api, String name, String version) throws Exception {
    String base = "/v1/prompts/" + ApiClient.segment(name) + "/versions";
    if (version != null) {
      String number = version.startsWith("v") ? version.substring(1) : version;
      return api.get(base + "/" + ApiClient.segment(number));
    }
    JsonNode latest = api.get(base + "?limit=1");
    if (!latest.isArray() || latest.isEmpty()) {
      throw new ApiError(404, "prompt '" + name + "' has no versions", "path");
    }
    return latest.get(0);
  }

  static String parameters(JsonNode parameters) {
    if (!parameters.isObject() || parameters.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    Map<String, String> sorted = new TreeMap<>();
    parameters.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().toString()));
    sorted.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(", ", parts);
  }
}
