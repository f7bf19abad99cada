package dev.promptcanary.activities.eval;

import dev.promptcanary.activities.model.ChatModel;
import dev.promptcanary.activities.model.ChatRequest;
import dev.promptcanary.activities.model.ChatResponse;
import dev.promptcanary.activities.model.ModelException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An in-test chat model: the answer is a function of the system prompt and the rendered user
 * message. It counts calls (all, and answered ones per question), tracks how many run at once, and
 * can fail chosen questions, once or always.
 */
final class FakeModel implements ChatModel {
  private final BiFunction<String, String, String> answer;
  final AtomicInteger calls = new AtomicInteger();
  final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  private final Set<String> failAlways = ConcurrentHashMap.newKeySet();
  private final Set<String> failOnce = ConcurrentHashMap.newKeySet();

  FakeModel(BiFunction<String, String, String> answer) {
    this.answer = answer;
  }

  /**
   * Calls whose user message contains {@code marker} fail (a timeout after the client's retries).
   */
  FakeModel failAlways(String marker) {
    failAlways.add(marker);
    return this;
  }

  /** The first call whose user message contains {@code marker} fails, later ones answer. */
  FakeModel failOnce(String marker) {
    failOnce.add(marker);
    return this;
  }

  @Override
  public ChatResponse complete(ChatRequest request) throws ModelException {
    calls.incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      String system = request.messages().get(0).content();
      String user = request.messages().get(request.messages().size() - 1).content();
      for (String marker : failAlways) {
        if (user.contains(marker)) {
          throw new ModelException("request timed out after 3 attempts", 0, true, null);
        }
      }
      for (String marker : failOnce) {
        if (user.contains(marker) && failOnce.remove(marker)) {
          throw new ModelException("HTTP 503 after 3 attempts", 503, true, null);
        }
      }
      String content = answer.apply(system, user);
      answered.computeIfAbsent(system + "|" + user, k -> new AtomicInteger()).incrementAndGet();
      return new ChatResponse(content, request.model(), 20, content.length() / 4 + 1, 0.001, 3);
    } finally {
      inFlight.decrementAndGet();
    }
  }
}
