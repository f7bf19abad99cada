package dev.promptcanary.api.resources;

import dev.promptcanary.api.auth.Unauthenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A trivial endpoint: liveness for load balancers, and the ceiling the resolve benchmark compares
 * against.
 */
@Path("/v1/ping")
@Produces(MediaType.APPLICATION_JSON)
public class PingResource {
  /** The answer of ping. */
  public record Pong(String status) {}

  private static final Pong PONG = new Pong("ok");

  @GET
  @Unauthenticated
  public Pong ping() {
    return PONG;
  }
}
