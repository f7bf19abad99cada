package dev.promptcanary.api.auth;

import dev.promptcanary.activities.store.Actor;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * Who sent a request: the API key's name and role. The actor of every change is taken from here,
 * never from the request body.
 */
public record Caller(String name, Role role, long keyId) implements Principal {
  /** The caller when {@code auth.enabled} is false: every request may do everything. */
  public static final Caller ANONYMOUS = new Caller("anonymous", Role.ADMIN, 0);

  @Override
  public String getName() {
    return name;
  }

  public Actor actor() {
    return new Actor(name, role.wireName());
  }

  /** The caller of a request that passed the auth filter. */
  public static Caller of(SecurityContext security) {
    if (security != null && security.getUserPrincipal() instanceof Caller caller) {
      return caller;
    }
    throw new IllegalStateException("no authenticated caller: is the resource method annotated?");
  }
}
