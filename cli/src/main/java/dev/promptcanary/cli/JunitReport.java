package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * An eval as JUnit XML, the report format CI systems read: one {@code testsuite} for the run, one
 * {@code testcase} per eval case (a {@code failure} when the candidate failed it, {@code skipped}
 * when it did not run) and one {@code testcase} named {@code gate} (a {@code failure} when the gate
 * blocked the candidate, an {@code error} when the run could not decide or the wait timed out).
 * Written with the JDK's StAX writer, which escapes the text; the file is replaced whole.
 */
final class JunitReport {
  static final String GATE = "gate";

  private JunitReport() {}

  static void write(JsonNode eval, boolean timedOut, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temporary = Files.createTempFile(parent, ".junit", ".xml");
    try {
      try (OutputStream out = Files.newOutputStream(temporary)) {
        write(eval, timedOut, out);
      }
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  static void write(JsonNode eval, boolean timedOut, OutputStream out) throws IOException {
    String state = timedOut ? "TIMED_OUT" : eval.path("state").asText();
    String suite = eval.path("suite").asText() + " v" + eval.path("suiteVersion").asInt();
    String className = "promptcanary.eval." + eval.path("suite").asText();
    int tests = eval.path("cases").size() + 1;
    int failures = 0;
    int skipped = 0;
    double seconds = 0;
    for (JsonNode c : eval.path("cases")) {
      if (!c.path("passed").isBoolean()) {
        skipped++;
      } else if (!c.path("passed").asBoolean()) {
        failures++;
      }
      seconds += c.path("candidate").path("latencyMs").asLong() / 1000.0;
    }
    int errors = 0;
    if (state.equals("FAILED")) {
      failures++;
    } else if (!state.equals("PASSED")) {
      errors++;
    }
    try {
      XMLStreamWriter xml =
          XMLOutputFactory.newFactory().createXMLStreamWriter(out, StandardCharsets.UTF_8.name());
      xml.writeStartDocument(StandardCharsets.UTF_8.name(), "1.0");
      xml.writeCharacters("\n");
      xml.writeStartElement("testsuites");
      xml.writeAttribute("name", "promptcanary eval " + eval.path("id").asText());
      counts(xml, tests, failures, errors, skipped, seconds);
      xml.writeCharacters("\n  ");
      xml.writeStartElement("testsuite");
      xml.writeAttribute(
          "name",
          suite
              + ": "
              + eval.path("prompt").asText()
              + " v"
              + eval.path("candidateVersion").asInt()
              + (eval.path("baselineVersion").isNumber()
                  ? " against v" + eval.path("baselineVersion").asInt()
                  : ""));
      counts(xml, tests, failures, errors, skipped, seconds);
      if (eval.hasNonNull("startedAt")) {
        xml.writeAttribute("timestamp", eval.path("startedAt").asText());
      }
      xml.writeCharacters("\n    ");
      xml.writeStartElement("properties");
      for (String name :
          List.of("id", "prompt", "candidateVersion", "baselineVersion", "suite", "suiteVersion")) {
        xml.writeCharacters("\n      ");
        xml.writeEmptyElement("property");
        xml.writeAttribute("name", name);
        xml.writeAttribute("value", Text.text(eval, name, ""));
      }
      xml.writeCharacters("\n      ");
      xml.writeEmptyElement("property");
      xml.writeAttribute("name", "state");
      xml.writeAttribute("value", state);
      xml.writeCharacters("\n    ");
      xml.writeEndElement();
      for (JsonNode c : eval.path("cases")) {
        testcase(xml, className, c, state);
      }
      gate(xml, className, eval, state);
      xml.writeCharacters("\n  ");
      xml.writeEndElement();
      xml.writeCharacters("\n");
      xml.writeEndElement();
      xml.writeCharacters("\n");
      xml.writeEndDocument();
      xml.flush();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write the JUnit XML: " + e.getMessage(), e);
    }
  }

  private static void counts(
      XMLStreamWriter xml, int tests, int failures, int errors, int skipped, double seconds)
      throws XMLStreamException {
    xml.writeAttribute("tests", String.valueOf(tests));
    xml.writeAttribute("failures", String.valueOf(failures));
    xml.writeAttribute("errors", String.valueOf(errors));
    xml.writeAttribute("skipped", String.valueOf(skipped));
    xml.writeAttribute("time", seconds(seconds));
  }

  private static void testcase(XMLStreamWriter xml, String className, JsonNode c, String state)
      throws XMLStreamException {
    JsonNode candidate = c.path("candidate");
    xml.writeCharacters("\n    ");
    xml.writeStartElement("testcase");
    xml.writeAttribute("classname", className);
    xml.writeAttribute("name", c.path("id").asText());
    xml.writeAttribute("time", seconds(candidate.path("latencyMs").asLong() / 1000.0));
    if (!c.path("passed").isBoolean()) {
      xml.writeEmptyElement("skipped");
      xml.writeAttribute("message", "not run: the eval ended " + state);
    } else {
      if (!c.path("passed").asBoolean()) {
        List<String> failed = EvalText.failedAssertions(candidate);
        xml.writeStartElement("failure");
        xml.writeAttribute("type", "assertion");
        xml.writeAttribute("message", String.join("; ", failed));
        xml.writeCharacters(String.join("\n", failed));
        xml.writeEndElement();
      }
      xml.writeStartElement("system-out");
      xml.writeCharacters(
          "candidate v"
              + candidate.path("version").asInt()
              + " ("
              + EvalText.outcome(candidate)
              + "): "
              + candidate.path("output").asText());
      JsonNode baseline = c.path("baseline");
      if (baseline.isObject()) {
        xml.writeCharacters(
            "\nbaseline v"
                + baseline.path("version").asInt()
                + " ("
                + EvalText.outcome(baseline)
                + "): "
                + baseline.path("output").asText());
      }
      xml.writeEndElement();
    }
    xml.writeEndElement();
  }

  private static void gate(XMLStreamWriter xml, String className, JsonNode eval, String state)
      throws XMLStreamException {
    xml.writeCharacters("\n    ");
    xml.writeStartElement("testcase");
    xml.writeAttribute("classname", className);
    xml.writeAttribute("name", GATE);
    xml.writeAttribute("time", "0");
    String reason = Text.text(eval, "reason", "");
    switch (state) {
      case "PASSED" -> {
        xml.writeStartElement("system-out");
        xml.writeCharacters(reason);
        xml.writeEndElement();
      }
      case "FAILED" -> problem(xml, "failure", "gate", reason);
      case "TIMED_OUT" ->
          problem(xml, "error", "timeout", "the eval had not ended when the wait timed out");
      default ->
          problem(xml, "error", "eval", reason.isEmpty() ? "the eval ended " + state : reason);
    }
    xml.writeEndElement();
  }

  private static void problem(XMLStreamWriter xml, String element, String type, String message)
      throws XMLStreamException {
    xml.writeStartElement(element);
    xml.writeAttribute("type", type);
    xml.writeAttribute("message", message);
    xml.writeCharacters(message);
    xml.writeEndElement();
  }

  private static String seconds(double seconds) {
    return String.format(Locale.ROOT, "%.3f", seconds);
  }
}
