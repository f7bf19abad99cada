package dev.promptcanary.activities.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An LLM-as-judge over any {@link ChatModel}: a fixed instruction asks for {@code {"score": 0-10,
 * "reason": "..."}} against the rubric, in JSON mode when the endpoint supports it. The answer is
 * read tolerantly: the whole text as JSON, else the first JSON object in it that has a {@code
 * score}, else a {@code score: 7/10} or {@code score: 7} phrase. Anything else, a score outside its
 * scale, or a failed model call is a {@link JudgeException} and is counted ({@link #stats()}); it
 * is never turned into a zero.
 *
 * <p>Every score records the judge model and the rubric version: {@value #INSTRUCTION_VERSION} (the
 * version of the instruction around the rubric) plus the first 12 hex digits of the SHA-256 of the
 * rubric text, so a rollout can pin both and any change of wording is visible.
 */
public final class LlmJudge implements Judge {
  public static final String INSTRUCTION_VERSION = "j1";
  static final String INSTRUCTION =
      "You are a strict, impartial evaluator. Score the RESPONSE to the INPUT against the RUBRIC on a scale from 0"
          + " (fails the rubric entirely) to 10 (meets it perfectly). Answer with one JSON object and nothing else:"
          + " {\"score\": <number from 0 to 10>, \"reason\": \"<one short sentence>\"}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SCORE_PHRASE =
      Pattern.compile(
          "(?i)\\bscore\\b\\W{0,5}(\\d+(?:\\.\\d+)?)(?:\\s*(?:/|out of)\\s*(\\d+(?:\\.\\d+)?))?");
  private static final double SCALE = 10.0;

  private final ChatModel model;
  private final String judgeModel;
  private final Map<String, Object> parameters;
  private final boolean jsonMode;
  private final AtomicLong scored = new AtomicLong();
  private final AtomicLong unparseable = new AtomicLong();
  private final AtomicLong callFailures = new AtomicLong();

  /** Counts since this judge was built. */
  public record Stats(long scored, long unparseable, long callFailures) {
    public long failures() {
      return unparseable + callFailures;
    }
  }

  /**
   * {@code jsonMode}: ask for {@code response_format: json_object} (OpenAI, vLLM, Ollama and
   * LiteLLM take it).
   */
  public LlmJudge(ChatModel model, String judgeModel, boolean jsonMode) {
    this.model = model;
    this.judgeModel = judgeModel;
    this.jsonMode = jsonMode;
    this.parameters = Map.of("temperature", 0);
  }

  public String judgeModel() {
    return judgeModel;
  }

  public Stats stats() {
    return new Stats(scored.get(), unparseable.get(), callFailures.get());
  }

  /** {@value #INSTRUCTION_VERSION} and a digest of the rubric text. */
  public static String rubricVersion(String rubric) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(rubric.getBytes(StandardCharsets.UTF_8));
      return INSTRUCTION_VERSION + "-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public JudgeScore score(JudgeRequest request) throws JudgeException {
    String rubricVersion = rubricVersion(request.rubric());
    ChatRequest call =
        new ChatRequest(
            judgeModel,
            List.of(
                ChatMessage.system(INSTRUCTION),
                ChatMessage.user(
                    "RUBRIC:\n"
                        + request.rubric()
                        + "\n\nINPUT:\n"
                        + request.input()
                        + "\n\nRESPONSE:\n"
                        + request.output())),
            parameters,
            jsonMode);
    ChatResponse response;
    try {
      response = model.complete(call);
    } catch (ModelException e) {
      callFailures.incrementAndGet();
      throw new JudgeException("judge " + judgeModel + " call failed: " + e.getMessage(), e);
    }
    Parsed parsed = parse(response.content());
    if (parsed == null) {
      unparseable.incrementAndGet();
      throw new JudgeException(
          "judge " + judgeModel + " answered no score: " + abbreviate(response.content()), null);
    }
    double scale = parsed.outOf == null ? SCALE : parsed.outOf;
    if (!(scale > 0) || parsed.score < 0 || parsed.score > scale) {
      unparseable.incrementAndGet();
      throw new JudgeException(
          "judge " + judgeModel + " score " + parsed.score + " is outside 0.." + scale, null);
    }
    scored.incrementAndGet();
    // The configured name, not the answer's model field (which may be a dated snapshot): it is what
    // a rollout pins.
    return new JudgeScore(parsed.score / scale, parsed.reason, judgeModel, rubricVersion);
  }

  record Parsed(double score, Double outOf, String reason) {}

  /** The score in the answer, or null when there is none. */
  static Parsed parse(String content) {
    if (content == null || content.isBlank()) {
      return null;
    }
    String text = content.strip();
    Parsed whole = fromJson(text);
    if (whole != null) {
      return whole;
    }
    for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
      int end = matchingBrace(text, start);
      if (end > start) {
        Parsed inner = fromJson(text.substring(start, end + 1));
        if (inner != null) {
          return inner;
        }
      }
    }
    Matcher m = SCORE_PHRASE.matcher(text);
    if (m.find()) {
      Double outOf = m.group(2) == null ? null : Double.valueOf(m.group(2));
      return new Parsed(Double.parseDouble(m.group(1)), outOf, abbreviate(text));
    }
    return null;
  }

  private static Parsed fromJson(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
    if (node == null || !node.isObject()) {
      return null;
    }
    JsonNode score = node.get("score");
    double value;
    if (score != null && score.isNumber()) {
      value = score.asDouble();
    } else if (score != null && score.isTextual()) {
      Parsed phrase = phrase("score: " + score.asText());
      if (phrase == null) {
        return null;
      }
      return new Parsed(phrase.score, phrase.outOf, reason(node));
    } else {
      return null;
    }
    return new Parsed(value, null, reason(node));
  }

  private static Parsed phrase(String text) {
    Matcher m = SCORE_PHRASE.matcher(text);
    if (!m.find()) {
      return null;
    }
    return new Parsed(
        Double.parseDouble(m.group(1)),
        m.group(2) == null ? null : Double.valueOf(m.group(2)),
        null);
  }

  private static String reason(JsonNode node) {
    JsonNode reason = node.get("reason");
    return reason != null && reason.isTextual() ? reason.asText() : null;
  }

  /**
   * The index of the brace closing the one at {@code start}, skipping braces inside JSON strings;
   * -1 if none.
   */
  private static int matchingBrace(String text, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String abbreviate(String s) {
    String oneLine = s == null ? "" : s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }

  @Override
  public String toString() {
    return "LlmJudge[" + judgeModel + " via " + model + "]";
  }
}
