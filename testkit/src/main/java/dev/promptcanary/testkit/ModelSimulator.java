package dev.promptcanary.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SIMULATOR of an OpenAI-compatible chat-completions server, for demos and tests on one machine
 * without internet. It is not a model: it answers placeholder text whose behaviour is read from
 * markers in the prompt, so the real HTTP paths of the clients (timeouts, retries, usage, cost,
 * judge parsing) are exercised end to end.
 *
 * <p>Endpoints on {@code 127.0.0.1}: {@code POST /v1/chat/completions} and {@code GET /v1/models}.
 *
 * <p><b>Markers.</b> A system message may carry {@code [sim key=value ...]}; every key is optional:
 *
 * <ul>
 *   <li>{@code quality} (0..1, default 0.8): the hidden quality of the answers, written into each
 *       answer as {@code [sim-quality=0.80]} so the simulated judge can read it back;
 *   <li>{@code quality_spread} (default 0): each answer's quality is {@code quality ± spread},
 *       varying with the request content;
 *   <li>{@code latency_ms} (default 0): how long each answer takes;
 *   <li>{@code error_rate} (default 0): the share of requests answered with HTTP 500;
 *   <li>{@code safety_rate} (default 0): the share of answers flagged: they start with {@code [sim
 *       safety-flag]} and end with {@code finish_reason: "content_filter"}.
 * </ul>
 *
 * <p>Everything is deterministic in the request: the same model and messages always give the same
 * answer, error or flag (a SHA-256 of the request content drives every draw), so rates hold over
 * many distinct inputs, and the same failing request fails again when retried.
 *
 * <p><b>Judge mode.</b> When the model is {@code sim-judge} (or a system message carries {@code
 * [sim judge]}), the answer is a JSON object {@code {"score": s, "reason": "..."}} with {@code s}
 * on a 0–10 scale: the last {@code [sim-quality=q]} found in the user messages (0.5 if none), plus
 * a noise of at most {@code ± judgeNoise} (in quality units) drawn from the request content,
 * clamped to [0, 1], times 10.
 *
 * <p><b>Scripted faults for tests</b>: {@link #failNext} answers the next requests with an error
 * status (with an optional {@code Retry-After} in seconds or as an HTTP date; a request arriving
 * before that time is counted in {@link #earlyRequests()} and refused again), {@link #hangNext}
 * holds the next requests without answering, {@link #judgeGarbage} makes the judge answer prose
 * with no score, {@link #requireApiKey} refuses other keys with a 401 that echoes what was received
 * (as some servers do), so clients can prove they redact it.
 */
public final class ModelSimulator implements AutoCloseable {
  public static final String JUDGE_MODEL = "sim-judge";
  public static final String DEFAULT_MODEL = "sim-model";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MARKER = Pattern.compile("\\[sim(\\s[^\\]]*)?]");
  private static final Pattern SETTING = Pattern.compile("([a-z_]+)(?:=([^\\s\\]]+))?");
  private static final Pattern HIDDEN_QUALITY = Pattern.compile("\\[sim-quality=([0-9.]+)]");

  private final HttpServer server;
  private final ExecutorService executor;
  private final double judgeNoise;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger earlyRequests = new AtomicInteger();
  private final AtomicInteger judgeRequests = new AtomicInteger();
  private static final String LEAVE_IN_FLIGHT = "promptcanary.simulator.leaveInFlight";
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicReference<JsonNode> lastRequest = new AtomicReference<>();
  private final Object faultLock = new Object();
  private int failuresLeft;
  private int failureStatus;
  private Duration failureRetryAfter;
  private boolean retryAfterAsDate;
  private Instant notBefore = Instant.MIN;
  private int hangsLeft;
  private volatile Duration hangFor = Duration.ofMinutes(5);
  private volatile boolean judgeGarbage;
  private volatile String requiredApiKey;

  private ModelSimulator(HttpServer server, ExecutorService executor, double judgeNoise) {
    this.server = server;
    this.executor = executor;
    this.judgeNoise = judgeNoise;
  }

  /**
   * Runs a simulator on its own until the process is stopped: {@code java -cp promptcanary.jar
   * dev.promptcanary.testkit.ModelSimulator [port] [judgeNoise]}.
   */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    double noise = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
    ModelSimulator sim = start(port, noise);
    Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "model-simulator-stop"));
    System.out.println("model SIMULATOR (not a real model) listening at " + sim.baseUrl());
    Thread.currentThread().join();
  }

  /** Starts on {@code 127.0.0.1:port} (0: a free port) with a judge noise of ±0.05. */
  public static ModelSimulator start(int port) {
    return start(port, 0.05);
  }

  public static ModelSimulator start(int port, double judgeNoise) {
    if (judgeNoise < 0 || judgeNoise > 1) {
      throw new IllegalArgumentException("judgeNoise must be within [0, 1]");
    }
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40
    // ms a request.
    // The JDK reads this once, when its first HttpServer starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      ExecutorService executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "model-simulator");
                t.setDaemon(true);
                return t;
              });
      ModelSimulator sim = new ModelSimulator(server, executor, judgeNoise);
      server.createContext("/v1/chat/completions", sim::chat);
      server.createContext("/v1/models", sim::models);
      server.setExecutor(executor);
      server.start();
      return sim;
    } catch (IOException e) {
      throw new UncheckedIOException("model simulator cannot listen on port " + port, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The API root to configure in a client, e.g. {@code http://127.0.0.1:41234/v1}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port() + "/v1");
  }

  /**
   * Chat-completion requests received (judge requests included, early and faulted ones included).
   */
  public int requests() {
    return requests.get();
  }

  /** Judge-mode requests received. */
  public int judgeRequests() {
    return judgeRequests.get();
  }

  /** Requests that came before the {@code Retry-After} the simulator had asked for. */
  public int earlyRequests() {
    return earlyRequests.get();
  }

  /**
   * Chat-completion requests being handled now (answered or not yet, e.g. still in their {@code
   * latency_ms}).
   */
  public int inFlight() {
    return inFlight.get();
  }

  /** The most chat-completion requests that were being handled at the same time. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** The body of the last chat-completion request, as received. */
  public JsonNode lastRequest() {
    return lastRequest.get();
  }

  /**
   * The next {@code times} requests get {@code status}; with {@code retryAfter}, the header in
   * delta seconds.
   */
  public ModelSimulator failNext(int times, int status, Duration retryAfter) {
    return failNext(times, status, retryAfter, false);
  }

  /**
   * As {@link #failNext(int, int, Duration)}; {@code asHttpDate} sends {@code Retry-After} as an
   * HTTP date.
   */
  public ModelSimulator failNext(int times, int status, Duration retryAfter, boolean asHttpDate) {
    synchronized (faultLock) {
      failuresLeft = times;
      failureStatus = status;
      failureRetryAfter = retryAfter;
      retryAfterAsDate = asHttpDate;
    }
    return this;
  }

  /**
   * The next {@code times} requests get no answer for {@code hangFor} (or until the simulator
   * stops).
   */
  public ModelSimulator hangNext(int times, Duration hangFor) {
    synchronized (faultLock) {
      hangsLeft = times;
    }
    this.hangFor = hangFor;
    return this;
  }

  /** Judge mode answers prose without any score while {@code on}. */
  public ModelSimulator judgeGarbage(boolean on) {
    this.judgeGarbage = on;
    return this;
  }

  /**
   * Requests without {@code Authorization: Bearer key} get a 401 that echoes the header received.
   */
  public ModelSimulator requireApiKey(String key) {
    this.requiredApiKey = key;
    return this;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void models(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        send(exchange, 405, error("method not allowed", "invalid_request_error"), null);
        return;
      }
      ObjectNode root = JSON.createObjectNode().put("object", "list");
      for (String id : new String[] {DEFAULT_MODEL, JUDGE_MODEL}) {
        root.withArray("data")
            .addObject()
            .put("id", id)
            .put("object", "model")
            .put("owned_by", "simulator");
      }
      send(exchange, 200, root, null);
    }
  }

  private void chat(HttpExchange exchange) throws IOException {
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    // A request stops being in flight just before its answer goes out: the client may send its next
    // request the
    // moment it has the answer, before this handler returns.
    AtomicBoolean answered = new AtomicBoolean();
    Runnable leave =
        () -> {
          if (answered.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
          }
        };
    exchange.setAttribute(LEAVE_IN_FLIGHT, leave);
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        send(exchange, 405, error("method not allowed", "invalid_request_error"), null);
        return;
      }
      byte[] raw;
      try (InputStream in = exchange.getRequestBody()) {
        raw = in.readAllBytes();
      }
      requests.incrementAndGet();
      String key = requiredApiKey;
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (key != null && !("Bearer " + key).equals(auth)) {
        send(
            exchange,
            401,
            error("Incorrect API key provided: " + auth, "invalid_request_error"),
            null);
        return;
      }
      if (scriptedFault(exchange)) {
        return;
      }
      JsonNode request;
      try {
        request = JSON.readTree(raw);
      } catch (IOException e) {
        send(exchange, 400, error("body is not JSON", "invalid_request_error"), null);
        return;
      }
      lastRequest.set(request);
      if (!request.path("messages").isArray() || request.path("messages").isEmpty()) {
        send(
            exchange,
            400,
            error("messages must be a non-empty array", "invalid_request_error"),
            null);
        return;
      }
      answer(exchange, request);
    } finally {
      leave.run();
    }
  }

  /** Applies a scripted 4xx/5xx or hang; true when the request has been dealt with. */
  private boolean scriptedFault(HttpExchange exchange) throws IOException {
    int status;
    String retryAfterHeader = null;
    boolean hang = false;
    synchronized (faultLock) {
      Instant now = Instant.now();
      if (now.isBefore(notBefore)) {
        earlyRequests.incrementAndGet();
        status = 429;
        retryAfterHeader =
            Long.toString(Math.max(1, (Duration.between(now, notBefore).toMillis() + 999) / 1000));
      } else if (failuresLeft > 0) {
        failuresLeft--;
        status = failureStatus;
        if (failureRetryAfter != null) {
          if (retryAfterAsDate) {
            // HTTP dates have whole seconds: round up, so the date is never earlier than asked.
            Instant at =
                now.plus(failureRetryAfter)
                    .plusMillis(999)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            notBefore = at;
            retryAfterHeader =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC));
          } else {
            long seconds = Math.max(1, (failureRetryAfter.toMillis() + 999) / 1000);
            notBefore = now.plusSeconds(seconds);
            retryAfterHeader = Long.toString(seconds);
          }
        }
      } else if (hangsLeft > 0) {
        hangsLeft--;
        status = 0;
        hang = true;
      } else {
        return false;
      }
    }
    if (hang) {
      try {
        Thread.sleep(hangFor.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true; // closing the exchange without a response: the client sees a reset or its own
      // timeout
    }
    String type = status == 429 ? "rate_limit_exceeded" : "server_error";
    send(exchange, status, error("simulated " + status, type), retryAfterHeader);
    return true;
  }

  private void answer(HttpExchange exchange, JsonNode request) throws IOException {
    String model = request.path("model").asText(DEFAULT_MODEL);
    StringBuilder system = new StringBuilder();
    StringBuilder user = new StringBuilder();
    String lastUser = "";
    int promptChars = 0;
    for (JsonNode m : request.path("messages")) {
      String content = m.path("content").asText("");
      promptChars += content.length();
      if ("system".equals(m.path("role").asText())) {
        system.append(content).append('\n');
      } else if ("user".equals(m.path("role").asText())) {
        user.append(content).append('\n');
        lastUser = content;
      }
    }
    Map<String, String> settings = markers(system.toString());
    byte[] digest = digest(model + "\u0000" + request.path("messages"));
    sleep(number(settings, "latency_ms", 0));
    boolean judge = JUDGE_MODEL.equals(model) || settings.containsKey("judge");
    if (judge) {
      judgeRequests.incrementAndGet();
    } else if (draw(digest, 0) < number(settings, "error_rate", 0)) {
      send(exchange, 500, error("simulated server error", "server_error"), null);
      return;
    }
    String content;
    String finishReason = "stop";
    if (judge) {
      content = judgeAnswer(user.toString(), digest);
    } else {
      double quality = number(settings, "quality", 0.8);
      double spread = number(settings, "quality_spread", 0);
      double q = clamp(quality + spread * (2 * draw(digest, 1) - 1));
      String text =
          "Simulated answer to: "
              + abbreviate(lastUser, 80)
              + String.format(Locale.ROOT, " [sim-quality=%.2f]", q);
      if (draw(digest, 2) < number(settings, "safety_rate", 0)) {
        text = "[sim safety-flag] " + text;
        finishReason = "content_filter";
      }
      content =
          "json_object".equals(request.path("response_format").path("type").asText())
              ? JSON.createObjectNode().put("answer", text).toString()
              : text;
    }
    ObjectNode root =
        JSON.createObjectNode()
            .put("id", "chatcmpl-sim-" + HexFormat.of().formatHex(digest, 0, 8))
            .put("object", "chat.completion")
            .put("created", Instant.now().getEpochSecond())
            .put("model", model);
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.put("finish_reason", finishReason);
    int promptTokens = tokens(promptChars) + 4 * request.path("messages").size();
    int completionTokens = tokens(content.length());
    root.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    send(exchange, 200, root, null);
  }

  private String judgeAnswer(String userText, byte[] digest) {
    if (judgeGarbage) {
      return "Honestly this reply is quite good overall, I liked it a lot!";
    }
    Matcher m = HIDDEN_QUALITY.matcher(userText);
    double quality = 0.5;
    boolean found = false;
    while (m.find()) {
      quality = Double.parseDouble(m.group(1));
      found = true;
    }
    double noise = judgeNoise * (2 * draw(digest, 3) - 1);
    double score = Math.round(clamp(quality + noise) * 100) / 10.0;
    String reason =
        found
            ? String.format(
                Locale.ROOT, "simulated judge: hidden quality %.2f, noise %+.3f", quality, noise)
            : String.format(
                Locale.ROOT, "simulated judge: no hidden quality, 0.5 assumed, noise %+.3f", noise);
    return JSON.createObjectNode().put("score", score).put("reason", reason).toString();
  }

  /** The {@code [sim key=value ...]} markers in a prompt text, by key. */
  public static Map<String, String> markers(String text) {
    Map<String, String> settings = new HashMap<>();
    Matcher marker = MARKER.matcher(text);
    while (marker.find()) {
      if (marker.group(1) == null) {
        continue;
      }
      Matcher s = SETTING.matcher(marker.group(1));
      while (s.find()) {
        settings.put(s.group(1), s.group(2) == null ? "" : s.group(2));
      }
    }
    return settings;
  }

  private static double number(Map<String, String> settings, String key, double fallback) {
    String v = settings.get(key);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** The {@code i}-th uniform draw in [0, 1) from the request digest (i in 0..3). */
  private static double draw(byte[] digest, int i) {
    long bits = 0;
    for (int b = i * 8; b < i * 8 + 8; b++) {
      bits = (bits << 8) | (digest[b] & 0xff);
    }
    return (bits >>> 11) * 0x1.0p-53;
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int tokens(int chars) {
    return (chars + 3) / 4;
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }

  private static String abbreviate(String s, int max) {
    String oneLine = s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
  }

  private static void sleep(double millis) {
    if (millis > 0) {
      try {
        Thread.sleep((long) millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ObjectNode error(String message, String type) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("message", message).put("type", type);
    return root;
  }

  private static void send(HttpExchange exchange, int status, JsonNode body, String retryAfter)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (retryAfter != null) {
      exchange.getResponseHeaders().set("Retry-After", retryAfter);
    }
    if (exchange.getAttribute(LEAVE_IN_FLIGHT) instanceof Runnable leave) {
      leave.run();
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
