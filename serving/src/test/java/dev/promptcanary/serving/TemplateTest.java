package dev.promptcanary.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one reading of a template that the server's registry and renderer and the SDK's render share
 * (before this module each had its own copy of the pattern and of the missing-variable rule; they
 * agreed, and these are the rules both kept).
 */
class TemplateTest {
  @Test
  void variablesAreNamedOnceInOrderOfFirstAppearance() {
    assertThat(Template.variables("{{b}} {{ a }} {{b}} {{_c9}} {{9x}} {{a-b}} {single}"))
        .containsExactly("b", "a", "_c9");
  }

  @Test
  void valuesAreTakenLiterallyAndExtraValuesIgnored() {
    assertThat(
            Template.fill(
                "Hi {{ name }}, {{name}}: {{q}} {{not-a-var}}",
                Map.of("name", "Ana $1 \\x", "q", "is {{name}} here?", "unused", "x")))
        .isEqualTo("Hi Ana $1 \\x, Ana $1 \\x: is {{name}} here? {{not-a-var}}");
  }

  @Test
  void theFirstVariableWithoutAValueIsNamed() {
    assertThatThrownBy(() -> Template.fill("{{a}} {{b}} {{c}}", Map.of("a", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("template variable 'b' has no value");
  }

  @Test
  void aTemplateWithoutVariablesIsUnchanged() {
    assertThat(Template.fill("no braces here", Map.of())).isEqualTo("no braces here");
    assertThat(Template.variables("no braces here")).isEmpty();
  }
}
