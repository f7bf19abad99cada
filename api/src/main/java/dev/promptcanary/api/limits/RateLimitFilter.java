package dev.promptcanary.api.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.promptcanary.api.config.LimitsFactory;
import dev.promptcanary.api.config.RateLimitFactory;
import dev.promptcanary.api.errors.ErrorResponse;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Per-client rate limits on ingest and on rollout controls, with resilience4j's {@link
 * RateLimiter}: a client over its limit is answered 429 with {@code Retry-After} (whole seconds
 * until its next permit) and the request goes no further. A client is its API key (the {@code
 * Authorization} header's credential) when it sends one, else its remote address. Limiters of
 * clients not seen for ten minutes are dropped, and at most {@link #MAX_CLIENTS} are kept, so
 * invented keys cannot exhaust memory.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 50)
public class RateLimitFilter implements ContainerRequestFilter {
  static final int MAX_CLIENTS = 100_000;
  private static final Pattern INGEST =
      Pattern.compile("/?v1/(observations|judgements|metrics|transcripts|otlp/v1/traces)/?");
  private static final Pattern ROLLOUT_CONTROLS = Pattern.compile("/?v1/rollouts(/[^/]+/[^/]+)?/?");

  /** An eval run spends model calls as a rollout's eval does: it counts as a control. */
  private static final Pattern EVAL_STARTS = Pattern.compile("/?v1/evals/?");

  private static final Pattern MANUAL_ROUTING = Pattern.compile("/?v1/prompts/[^/]+/routing/?");

  /** Which limit a request counts against. */
  enum Kind {
    INGEST,
    CONTROLS
  }

  private final Limit ingest;
  private final Limit controls;

  @Context private HttpServletRequest servletRequest;

  private final Predicate<String> knownKey;

  public RateLimitFilter(LimitsFactory limits) {
    this(limits, credential -> true);
  }

  /**
   * @param knownKey whether a credential is a live API key: an invented one is counted against its
   *     address, so sending a fresh made-up key with each request buys no fresh budget
   */
  public RateLimitFilter(LimitsFactory limits, Predicate<String> knownKey) {
    this.ingest = new Limit("ingest", limits.getIngest());
    this.controls = new Limit("controls", limits.getControls());
    this.knownKey = knownKey;
  }

  static Kind kindOf(String method, String path) {
    if ("POST".equals(method) && INGEST.matcher(path).matches()) {
      return Kind.INGEST;
    }
    if ("POST".equals(method)
        && (ROLLOUT_CONTROLS.matcher(path).matches() || EVAL_STARTS.matcher(path).matches())) {
      return Kind.CONTROLS;
    }
    if ("PUT".equals(method) && MANUAL_ROUTING.matcher(path).matches()) {
      return Kind.CONTROLS;
    }
    return null;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Kind kind = kindOf(request.getMethod(), request.getUriInfo().getPath(false));
    if (kind == null) {
      return;
    }
    Limit limit = kind == Kind.INGEST ? ingest : controls;
    if (!limit.config.isEnabled()) {
      return;
    }
    String credential = credential(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    if (credential != null && !knownKey.test(credential)) {
      credential = null;
    }
    String client =
        credential != null
            ? "key:" + credential
            : "address:" + (servletRequest == null ? "unknown" : servletRequest.getRemoteAddr());
    RateLimiter limiter = limit.limiterFor(client);
    if (!limiter.acquirePermission()) {
      long waitNanos = ((AtomicRateLimiter) limiter).getDetailedMetrics().getNanosToWait();
      long retryAfter = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      request.abortWith(
          Response.status(429)
              .type(MediaType.APPLICATION_JSON_TYPE)
              .header("Retry-After", retryAfter)
              .entity(
                  ErrorResponse.of(
                      429,
                      "rate limit of "
                          + limit.config.getRequests()
                          + " "
                          + limit.name
                          + " requests per "
                          + limit.config.getPeriod()
                          + " for this "
                          + (credential != null ? "API key" : "address")
                          + " reached; retry after "
                          + retryAfter
                          + " s",
                      credential != null ? "Authorization" : "client"))
              .build());
    }
  }

  /** The credential of {@code Authorization: Bearer <key>} (or any scheme), or null. */
  static String credential(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return null;
    }
    String value = authorization.trim();
    int space = value.indexOf(' ');
    String credential = space < 0 ? value : value.substring(space + 1).trim();
    return credential.isEmpty() ? null : credential;
  }

  private static final class Limit {
    final String name;
    final RateLimitFactory config;
    final RateLimiterConfig limiterConfig;
    final Cache<String, RateLimiter> limiters =
        Caffeine.newBuilder()
            .maximumSize(MAX_CLIENTS)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    Limit(String name, RateLimitFactory config) {
      this.name = name;
      this.config = config;
      this.limiterConfig =
          RateLimiterConfig.custom()
              .limitForPeriod(config.getRequests())
              .limitRefreshPeriod(config.getPeriod().toJavaDuration())
              .timeoutDuration(Duration.ZERO)
              .build();
    }

    RateLimiter limiterFor(String client) {
      return limiters.get(client, key -> new AtomicRateLimiter(name + "/" + key, limiterConfig));
    }
  }
}
