package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code suite push|list}: offline eval suites. */
@Command(
    name = "suite",
    description = "Eval suites: push, list.",
    mixinStandardHelpOptions = true,
    subcommands = {SuiteCommands.Push.class, SuiteCommands.ListSuites.class})
final class SuiteCommands {

  @Command(
      name = "push",
      description =
          "Stores an eval suite from a YAML or JSON file (the body of POST /v1/eval-suites);"
              + " the same content again is the existing version.",
      mixinStandardHelpOptions = true)
  static final class Push extends ApiCommand {
    @Parameters(paramLabel = "FILE", description = "the suite's file (- for standard input)")
    String file;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      JsonNode created = api.post("/v1/eval-suites", Documents.read(file));
      if (output.json()) {
        Output.printJson(out(), created);
      } else {
        out()
            .println(
                created.path("name").asText()
                    + " v"
                    + created.path("version").asInt()
                    + " ("
                    + created.path("definition").path("cases").size()
                    + " cases)");
      }
      return PromptCanaryCli.OK;
    }
  }

  @Command(name = "list", description = "Eval suites.", mixinStandardHelpOptions = true)
  static final class ListSuites extends ApiCommand {
    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      JsonNode suites = api.get("/v1/eval-suites");
      if (output.json()) {
        Output.printJson(out(), suites);
        return PromptCanaryCli.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode s : suites) {
        rows.add(
            List.of(
                s.path("name").asText(),
                "v" + s.path("latestVersion").asInt(),
                String.valueOf(s.path("cases").asInt()),
                Text.text(s, "updatedAt", "")));
      }
      Text.table(List.of("SUITE", "LATEST", "CASES", "UPDATED"), rows).forEach(out()::println);
      return PromptCanaryCli.OK;
    }
  }
}
