package dev.promptcanary.api.resources;

import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.RoutingSnapshot;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.TimeUnit;

/**
 * What SDKs evaluate locally: the routing snapshot of every prompt, a long-poll that answers as
 * soon as it changes, and the contents of the versions it names, immutable and cacheable for ever.
 *
 * <p>The push channel is a long-poll on the snapshot's ETag rather than server-sent events: the
 * answer is the whole state, never a delta, so a client that missed anything (a dropped connection,
 * a restarted node, a switch to another node) is corrected by its next request with no event ids to
 * resume from; it is a plain GET that every proxy, load balancer and standard library HTTP client
 * (Python's included) handles; and a waiting poll holds no server thread (JAX-RS async). A change
 * costs one snapshot per client, which at tens of prompts is small.
 */
@Path("/v1/routing")
@Produces(MediaType.APPLICATION_JSON)
public class RoutingFeedResource {
  /**
   * Below Jetty's 30 s idle timeout and the usual 60 s of load balancers, so a quiet poll ends with
   * a 304 and is renewed rather than cut.
   */
  static final int DEFAULT_WAIT_SECONDS = 20;

  static final int MAX_WAIT_SECONDS = 25;
  private static final CacheControl NO_CACHE = CacheControl.valueOf("no-cache");
  private static final CacheControl IMMUTABLE =
      CacheControl.valueOf("public, max-age=31536000, immutable");

  private final RoutingFeed feed;
  private final PromptDao prompts;

  public RoutingFeedResource(RoutingFeed feed, PromptDao prompts) {
    this.feed = feed;
    this.prompts = prompts;
  }

  /** The snapshot now; 304 when {@code If-None-Match} names its ETag. */
  @GET
  @RolesAllowed(Role.CLIENT_NAME)
  public Response snapshot(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
    RoutingSnapshot now = feed.current();
    return answer(now, matches(ifNoneMatch, now.etag()));
  }

  /**
   * The snapshot as soon as its ETag differs from {@code If-None-Match} (at once without one, or
   * when it already differs); a 304 after {@code wait} seconds (0..25, default 20) without a
   * change.
   */
  @GET
  @Path("/stream")
  @RolesAllowed(Role.CLIENT_NAME)
  public void stream(
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
      @QueryParam("wait") String wait,
      @Suspended AsyncResponse async) {
    int seconds = Params.intInRange("wait", wait, DEFAULT_WAIT_SECONDS, 0, MAX_WAIT_SECONDS);
    String held = heldEtag(ifNoneMatch);
    RoutingSnapshot now = feed.current();
    if (held == null || !held.equals(now.etag()) || seconds == 0) {
      async.resume(answer(now, now.etag().equals(held)));
      return;
    }
    Runnable cancel =
        feed.awaitChange(
            held, snapshot -> async.resume(answer(snapshot, snapshot.etag().equals(held))));
    async.setTimeoutHandler(
        timedOut -> {
          cancel.run();
          RoutingSnapshot latest = feed.current();
          timedOut.resume(answer(latest, latest.etag().equals(held)));
        });
    async.setTimeout(seconds, TimeUnit.SECONDS);
  }

  /**
   * One version's content: immutable, so its ETag is the content hash and it may be cached for
   * ever.
   */
  @GET
  @Path("/versions/{name}/{version}")
  @RolesAllowed(Role.CLIENT_NAME)
  public Response version(
      @PathParam("name") String name,
      @PathParam("version") String version,
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
    String prompt = Params.promptName(name);
    int number = Params.positiveInt("version", version);
    PromptVersion found =
        prompts
            .findVersion(prompt, number)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "version", "prompt '" + prompt + "' has no version " + number));
    EntityTag tag = new EntityTag(found.contentHash());
    Response.ResponseBuilder response =
        matches(ifNoneMatch, found.contentHash())
            ? Response.notModified(tag)
            : Response.ok(found).tag(tag);
    return response.cacheControl(IMMUTABLE).build();
  }

  private static Response answer(RoutingSnapshot snapshot, boolean notModified) {
    EntityTag tag = new EntityTag(snapshot.etag());
    Response.ResponseBuilder response =
        notModified ? Response.notModified(tag) : Response.ok(snapshot).tag(tag);
    return response.cacheControl(NO_CACHE).build();
  }

  /** The one ETag a poll holds: its {@code If-None-Match}, unquoted (null without one). */
  private static String heldEtag(String ifNoneMatch) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return null;
    }
    String first = ifNoneMatch.split(",")[0].trim();
    return unquote(first);
  }

  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*") || unquote(tag).equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static String unquote(String tag) {
    String t = tag.startsWith("W/") ? tag.substring(2) : tag;
    if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
      t = t.substring(1, t.length() - 1);
    }
    return t;
  }
}
