package dev.promptcanary.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnitRuleTest {
  @Test
  void aMissingOrBlankUnitIsRequired() {
    assertThat(UnitRule.problem(null)).get().asString().startsWith("unit is required");
    assertThat(UnitRule.problem(" \t")).get().asString().startsWith("unit is required");
  }

  @Test
  void twoHundredCharactersAreTheMost() {
    assertThat(UnitRule.problem("x".repeat(200))).isEmpty();
    assertThat(UnitRule.problem("x".repeat(201))).contains("unit must be at most 200 characters");
  }
}
