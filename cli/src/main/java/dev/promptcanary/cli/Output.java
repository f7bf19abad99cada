package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --output text|json} of every read command, and of {@code eval run} and {@code rollout
 * watch} for their final answer: a person's view or the API's JSON as is.
 */
final class Output {
  enum Format {
    text,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json (the API's answer, for scripts)")
  Format format = Format.text;

  boolean json() {
    return format == Format.json;
  }

  static void printJson(PrintWriter out, JsonNode node) {
    try {
      out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }
}
