package dev.promptcanary.activities.model;

import dev.promptcanary.activities.model.ModelEndpoint.Price;
import java.util.Map;

/**
 * USD prices per million tokens by model name, where an entry may name a prefix ({@code
 * gpt-4o-mini} prices {@code gpt-4o-mini-2024-07-18}): the model endpoint's accounting and OTLP
 * ingest's both read prices this way.
 */
public record PriceTable(Map<String, Price> prices) {
  public PriceTable {
    prices = prices == null ? Map.of() : Map.copyOf(prices);
  }

  /**
   * The price of {@code modelName}: an exact entry, else the longest entry that is a prefix of it;
   * null if none.
   */
  public Price priceOf(String modelName) {
    if (modelName == null) {
      return null;
    }
    Price exact = prices.get(modelName);
    if (exact != null) {
      return exact;
    }
    String best = null;
    for (String key : prices.keySet()) {
      if (modelName.startsWith(key) && (best == null || key.length() > best.length())) {
        best = key;
      }
    }
    return best == null ? null : prices.get(best);
  }
}
