package dev.promptcanary.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.promptcanary.activities.model.ModelEndpoint.Price;
import dev.promptcanary.activities.model.PriceTable;
import dev.promptcanary.api.otlp.SpanReader;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * How spans sent to {@code POST /v1/otlp/v1/traces} become outcomes: which span attributes name the
 * unit (the first one a span carries wins; {@code session.id} is OpenTelemetry's session
 * attribute), which numeric span attributes are judge scores (attribute name to judge name, besides
 * {@code gen_ai.evaluation.result} events), and the USD price per million tokens of each model (or
 * model-name prefix), from which a span's cost is computed.
 */
public class OtlpFactory {
  @NotEmpty
  @Size(max = 20)
  private List<@NotBlank String> unitAttributes = List.of("promptcanary.unit", "session.id");

  @NotNull
  private Map<@NotBlank String, @NotBlank @Size(max = 200) String> scoreAttributes = Map.of();

  @NotNull private Map<@NotBlank String, @NotNull Price> prices = Map.of();

  public SpanReader reader() {
    return new SpanReader(unitAttributes, scoreAttributes, new PriceTable(prices));
  }

  @JsonProperty
  public List<String> getUnitAttributes() {
    return unitAttributes;
  }

  @JsonProperty
  public void setUnitAttributes(List<String> unitAttributes) {
    this.unitAttributes = unitAttributes;
  }

  @JsonProperty
  public Map<String, String> getScoreAttributes() {
    return scoreAttributes;
  }

  @JsonProperty
  public void setScoreAttributes(Map<String, String> scoreAttributes) {
    this.scoreAttributes = scoreAttributes;
  }

  @JsonProperty
  public Map<String, Price> getPrices() {
    return prices;
  }

  @JsonProperty
  public void setPrices(Map<String, Price> prices) {
    this.prices = prices;
  }
}
