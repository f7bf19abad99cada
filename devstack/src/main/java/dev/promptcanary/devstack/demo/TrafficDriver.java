package dev.promptcanary.devstack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated users of an app that serves one prompt, doing per session exactly what a real app does:
 * resolve the version to serve for the session ({@code GET
 * /v1/prompts/{name}/resolve?unit=session}), call the model with that version's content (the
 * OpenAI-compatible chat completions endpoint), and report the outcome ({@code POST
 * /v1/observations}: latency, tokens, cost, error, safety flag) and a transcript ({@code POST
 * /v1/transcripts}, for the live judge).
 *
 * <p>Routing is the resolve answer's, never the driver's own: a session is served the version (and
 * the content) that resolve named for its unit, and reported under it. Transcripts are sampled by a
 * hash of the request id only, so both arms are judged at the same rate. Reports go in small
 * batches per thread, each carrying the time the request was served.
 */
public final class TrafficDriver implements AutoCloseable {
  /** Demo prices, USD per million tokens (input, output). */
  static final double INPUT_PRICE = 0.15;

  static final double OUTPUT_PRICE = 0.60;
  private static final int BATCH = 10;
  private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(750);
  private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  private static final String[] NAMES = {
    "Kim", "Ray", "Ana", "Bo", "Lee", "Sam", "Noor", "Ivo", "Mia", "Tom"
  };
  private static final String[] QUESTIONS = {
    "Where is my order?",
    "Can I get a refund?",
    "How do I reset my password?",
    "Can I change my delivery address?",
    "My parcel arrived damaged, what now?",
    "How do I cancel my subscription?",
    "Do you ship abroad?",
    "Why was my card declined?",
    "Can I exchange the size?",
    "When will the item be back in stock?",
    "How do I use a discount code?",
    "Can I speak to a person?"
  };

  /**
   * What to drive. {@code transcriptShare} in [0, 1] is the share of answered requests sent to the
   * judge.
   */
  public record Options(
      String prompt, int threads, double sessionsPerSecond, double transcriptShare, long seed) {
    public Options {
      if (threads < 1 || sessionsPerSecond <= 0 || transcriptShare < 0 || transcriptShare > 1) {
        throw new IllegalArgumentException(
            "bad traffic options: "
                + threads
                + " threads, "
                + sessionsPerSecond
                + " sessions/s, transcript share "
                + transcriptShare);
      }
    }
  }

  /** Counts of one version. */
  public record VersionCounts(long sessions, long errors, long safetyFlags, long transcripts) {}

  private final JsonHttp api;
  private final JsonHttp model;
  private final Options options;
  private final String encodedPrompt;
  private final AtomicLong sessionSequence = new AtomicLong();
  private final Map<Integer, Counters> counters = new ConcurrentHashMap<>();
  private final LongAdder failedCalls = new LongAdder();
  private final LongAdder droppedTranscripts = new LongAdder();
  private final AtomicReference<String> lastFailure = new AtomicReference<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  private static final class Counters {
    final LongAdder sessions = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder safetyFlags = new LongAdder();
    final LongAdder transcripts = new LongAdder();
  }

  /**
   * {@code api}: promptcanary's base URL; {@code model}: the model API root (e.g. {@code
   * http://127.0.0.1:P/v1}).
   */
  public TrafficDriver(JsonHttp api, JsonHttp model, Options options) {
    this.api = api;
    this.model = model;
    this.options = options;
    this.encodedPrompt = URLEncoder.encode(options.prompt(), StandardCharsets.UTF_8);
  }

  public Options options() {
    return options;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    for (int i = 0; i < options.threads(); i++) {
      Worker worker = new Worker(new Random(options.seed() * 1_000_003L + i));
      Thread t = new Thread(worker, "demo-traffic-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Stops the threads after their current session and sends what they have not reported yet. */
  @Override
  public synchronized void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(15));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    threads.clear();
  }

  /** Sessions served so far, per version, in version order. */
  public SortedMap<Integer, VersionCounts> counts() {
    SortedMap<Integer, VersionCounts> out = new TreeMap<>();
    counters.forEach(
        (v, c) ->
            out.put(
                v,
                new VersionCounts(
                    c.sessions.sum(), c.errors.sum(), c.safetyFlags.sum(), c.transcripts.sum())));
    return out;
  }

  /**
   * Transcripts the judge pool dropped because its queue was full (the same for every arm: it never
   * looks).
   */
  public long droppedTranscripts() {
    return droppedTranscripts.sum();
  }

  public long failedCalls() {
    return failedCalls.sum();
  }

  public String lastFailure() {
    return lastFailure.get();
  }

  /**
   * Whether the request's transcript goes to the judge: a hash of the request id, the same rule for
   * every arm.
   */
  static boolean sampled(String requestId, double share) {
    if (share >= 1) {
      return true;
    }
    int h = requestId.hashCode() * 0x9E3779B1;
    h ^= h >>> 16;
    return ((h & 0x7fffffff) % 10_000) < share * 10_000;
  }

  /**
   * The chat messages of a prompt version's content with {@code variables} filled in; the last one
   * is the user's.
   */
  static ArrayNode messages(JsonNode content, Map<String, String> variables) {
    ArrayNode messages = JsonHttp.JSON.createArrayNode();
    String system = content.path("systemPrompt").asText("");
    if (!system.isEmpty()) {
      messages.addObject().put("role", "system").put("content", system);
    }
    for (JsonNode example : content.path("fewShot")) {
      messages.addObject().put("role", "user").put("content", example.path("user").asText(""));
      messages
          .addObject()
          .put("role", "assistant")
          .put("content", example.path("assistant").asText(""));
    }
    messages
        .addObject()
        .put("role", "user")
        .put("content", render(content.path("template").asText(""), variables));
    return messages;
  }

  static String render(String template, Map<String, String> variables) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(variables.getOrDefault(m.group(1), "")));
    }
    m.appendTail(out);
    return out.toString();
  }

  private Counters counters(int version) {
    return counters.computeIfAbsent(version, v -> new Counters());
  }

  private void failed(Exception e) {
    failedCalls.increment();
    lastFailure.set(e.getMessage());
  }

  private final class Worker implements Runnable {
    private final Random random;
    private ArrayNode observations = JsonHttp.JSON.createArrayNode();
    private ArrayNode transcripts = JsonHttp.JSON.createArrayNode();
    private final List<Integer> transcriptVersions = new ArrayList<>();
    private long oldest;

    Worker(Random random) {
      this.random = random;
    }

    @Override
    public void run() {
      long interval =
          (long) (TimeUnit.SECONDS.toNanos(1) * options.threads() / options.sessionsPerSecond());
      long next = System.nanoTime() + (long) (random.nextDouble() * interval);
      while (running) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          sleepNanos(wait);
          if (!running) {
            break;
          }
        } else if (-wait > TimeUnit.SECONDS.toNanos(1)) {
          next = System.nanoTime(); // fell behind (a slow moment): no burst to catch up
        }
        // Exponential gaps: arrivals of independent users.
        next += (long) (interval * -Math.log(1 - random.nextDouble()));
        try {
          session();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (Exception e) {
          failed(e);
        }
        if (observations.size() >= BATCH
            || (!observations.isEmpty() && System.nanoTime() - oldest > FLUSH_NANOS)) {
          flush();
        }
      }
      flush();
    }

    private void session() throws Exception {
      String unit = "session-" + options.seed() + "-" + sessionSequence.incrementAndGet();
      JsonNode served = api.get("/v1/prompts/" + encodedPrompt + "/resolve?unit=" + unit);
      int version = served.path("version").asInt();
      JsonNode content = served.path("content").path("content");
      Map<String, String> variables =
          Map.of(
              "name", NAMES[random.nextInt(NAMES.length)],
              "order", Integer.toString(100_000 + random.nextInt(900_000)),
              "question", QUESTIONS[random.nextInt(QUESTIONS.length)]);
      ArrayNode messages = messages(content, variables);
      ObjectNode call = JsonHttp.JSON.createObjectNode();
      content.path("parameters").fields().forEachRemaining(p -> call.set(p.getKey(), p.getValue()));
      call.put("model", content.path("model").asText("sim-model"));
      call.set("messages", messages);

      Instant servedAt = Instant.now();
      long t0 = System.nanoTime();
      JsonHttp.Reply answer;
      try {
        answer = model.send("POST", "/chat/completions", call);
      } catch (java.io.IOException e) {
        answer =
            new JsonHttp.Reply(
                0, null); // a timeout or a refused connection is an error the app reports
      }
      double latencyMs = (System.nanoTime() - t0) / 1e6;
      boolean error = !answer.ok();
      String requestId = unit + "-r1";
      ObjectNode observation =
          JsonHttp.JSON
              .createObjectNode()
              .put("requestId", requestId)
              .put("prompt", options.prompt())
              .put("version", version)
              .put("unit", unit)
              .put("observedAt", servedAt.toString())
              .put("latencyMs", Math.round(latencyMs * 10) / 10.0)
              .put("error", error);
      Counters c = counters(version);
      c.sessions.increment();
      boolean safetyFlag = false;
      if (error) {
        c.errors.increment();
      } else {
        JsonNode choice = answer.body().path("choices").path(0);
        safetyFlag = "content_filter".equals(choice.path("finish_reason").asText());
        long in = answer.body().path("usage").path("prompt_tokens").asLong();
        long out = answer.body().path("usage").path("completion_tokens").asLong();
        observation
            .put("inputTokens", in)
            .put("outputTokens", out)
            .put("cost", (in * INPUT_PRICE + out * OUTPUT_PRICE) / 1e6);
        if (safetyFlag) {
          c.safetyFlags.increment();
        }
        if (sampled(requestId, options.transcriptShare())) {
          transcripts
              .addObject()
              .put("requestId", requestId)
              .put("prompt", options.prompt())
              .put("version", version)
              .put("unit", unit)
              .put("input", messages.get(messages.size() - 1).path("content").asText())
              .put("output", choice.path("message").path("content").asText());
          transcriptVersions.add(version);
        }
      }
      observation.put("safetyFlag", safetyFlag);
      if (observations.isEmpty()) {
        oldest = System.nanoTime();
      }
      observations.add(observation);
    }

    private void flush() {
      if (!observations.isEmpty()) {
        try {
          api.post(
              "/v1/observations",
              JsonHttp.JSON.createObjectNode().set("observations", observations));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          failed(e);
        }
        observations = JsonHttp.JSON.createArrayNode();
      }
      if (!transcripts.isEmpty()) {
        try {
          JsonNode queued =
              api.post(
                  "/v1/transcripts",
                  JsonHttp.JSON.createObjectNode().set("transcripts", transcripts));
          transcriptVersions.forEach(v -> counters(v).transcripts.increment());
          droppedTranscripts.add(queued.path("dropped").asLong());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          failed(e);
        }
        transcripts = JsonHttp.JSON.createArrayNode();
        transcriptVersions.clear();
      }
    }
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
