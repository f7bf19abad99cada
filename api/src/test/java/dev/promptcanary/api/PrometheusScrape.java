package dev.promptcanary.api;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One scrape of {@code /metrics/prometheus}, parsed. Neither Prometheus Java client ships a parser
 * of the text format, so this asks for Prometheus' protobuf exposition format (the scraper's {@code
 * Accept}, as Prometheus itself can) and parses it with the generated {@code MetricFamily} classes
 * of {@code prometheus-metrics-exposition-formats}, the library that writes it. The text format is
 * checked alongside to name the same families.
 */
record PrometheusScrape(Map<String, Metrics.MetricFamily> families) {
  static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  static PrometheusScrape of(String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).header("Accept", PROTOBUF).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new AssertionError(url + " answered " + response.statusCode());
    }
    Map<String, Metrics.MetricFamily> families = new LinkedHashMap<>();
    try (InputStream in = new ByteArrayInputStream(response.body())) {
      Metrics.MetricFamily family;
      while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
        families.put(family.getName(), family);
      }
    }
    return new PrometheusScrape(families);
  }

  Optional<Metrics.MetricFamily> family(String name) {
    return Optional.ofNullable(families.get(name));
  }

  /** The series of {@code family} whose labels include {@code labels} (name, value, ...). */
  List<Metrics.Metric> series(String family, String... labels) {
    Metrics.MetricFamily f = families.get(family);
    if (f == null) {
      throw new AssertionError(
          "no metric family " + family + " in " + new TreeSet<>(families.keySet()));
    }
    return f.getMetricList().stream().filter(m -> hasLabels(m, labels)).toList();
  }

  /**
   * The sum over matching series of a counter's or gauge's value, or a histogram's or summary's
   * sample count.
   */
  double total(String family, String... labels) {
    return series(family, labels).stream().mapToDouble(PrometheusScrape::value).sum();
  }

  private static double value(Metrics.Metric m) {
    if (m.hasCounter()) {
      return m.getCounter().getValue();
    }
    if (m.hasGauge()) {
      return m.getGauge().getValue();
    }
    if (m.hasHistogram()) {
      return m.getHistogram().getSampleCount();
    }
    if (m.hasSummary()) {
      return m.getSummary().getSampleCount();
    }
    return m.getUntyped().getValue();
  }

  private static boolean hasLabels(Metrics.Metric m, String... labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      String name = labels[i];
      String value = labels[i + 1];
      if (m.getLabelList().stream()
          .noneMatch(l -> l.getName().equals(name) && l.getValue().equals(value))) {
        return false;
      }
    }
    return true;
  }

  /** The label values {@code label} takes across {@code family}. */
  TreeSet<String> labelValues(String family, String label) {
    TreeSet<String> values = new TreeSet<>();
    series(family)
        .forEach(
            m ->
                m.getLabelList().stream()
                    .filter(l -> l.getName().equals(label))
                    .forEach(l -> values.add(l.getValue())));
    return values;
  }

  @Override
  public String toString() {
    return Arrays.toString(new TreeSet<>(families.keySet()).toArray());
  }
}
