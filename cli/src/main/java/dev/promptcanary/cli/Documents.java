package dev.promptcanary.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Files the CLI sends (a prompt version, an eval suite, a rollout): YAML or JSON, read into the
 * JSON tree the API gets. The content is not checked here: the server validates it, with the same
 * messages as for any other client.
 */
final class Documents {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Documents() {}

  /**
   * {@code -} reads standard input. A {@code .json} file is read as JSON, anything else as YAML.
   */
  static JsonNode read(String file) throws ApiError {
    String text;
    try {
      text =
          file.equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ApiError(0, file + ": no such file", null);
    } catch (IOException e) {
      throw new ApiError(0, file + ": cannot read it: " + e.getMessage(), null);
    }
    // YAML is a superset of JSON, but a JSON file read as JSON gives JSON's own error messages.
    ObjectMapper mapper = file.toLowerCase().endsWith(".json") ? ApiClient.JSON : YAML;
    try {
      JsonNode tree = mapper.readTree(text);
      if (tree == null || !tree.isObject()) {
        throw new ApiError(0, file + ": expected an object (a mapping) at the top", null);
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new ApiError(
          0, file + ": not valid " + (mapper == YAML ? "YAML" : "JSON") + ": " + brief(e), null);
    }
  }

  private static String brief(JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return ApiError.oneLine(e.getOriginalMessage()) + where;
  }
}
