package dev.promptcanary.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.api.enums.v1.IndexedValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The cluster's registration script registers exactly the attributes the workflow upserts. */
class SearchAttributesTest {
  private static final Path SCRIPT =
      Path.of("../deployment/helm/promptcanary/files/register-search-attributes.sh");
  private static final Pattern REGISTER = Pattern.compile("(?m)^register (\\w+) (\\w+)\\s*$");

  @Test
  void registrationScriptMatchesTheWorkflowsAttributes() throws IOException {
    Map<String, String> scripted = new LinkedHashMap<>();
    Matcher m = REGISTER.matcher(Files.readString(SCRIPT));
    while (m.find()) {
      scripted.put(m.group(1), m.group(2));
    }
    Map<String, String> expected = new LinkedHashMap<>();
    SearchAttributes.ROLLOUT_ATTRIBUTES.forEach((name, type) -> expected.put(name, cliType(type)));
    assertEquals(expected, scripted);
  }

  @Test
  void everyRolloutAttributeIsRegisteredWithItsKeysType() {
    assertEquals(5, SearchAttributes.ROLLOUT_ATTRIBUTES.size());
    assertEquals(
        IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        SearchAttributes.ROLLOUT_ATTRIBUTES.get("PromptName"));
    assertEquals(
        IndexedValueType.INDEXED_VALUE_TYPE_INT,
        SearchAttributes.ROLLOUT_ATTRIBUTES.get("CanaryWeight"));
  }

  /** The {@code temporal operator search-attribute create --type} spelling of an indexed type. */
  private static String cliType(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("no CLI type for " + type);
    };
  }
}
