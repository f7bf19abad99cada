package dev.promptcanary.api.auth;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * Only with {@code auth.enabled: false}: every request is {@link Caller#ANONYMOUS}, who may do
 * everything, so resources read their caller the same way whether auth is on or off.
 */
@Priority(Priorities.AUTHENTICATION)
public final class AnonymousFilter implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    SecurityContext original = request.getSecurityContext();
    request.setSecurityContext(
        new SecurityContext() {
          @Override
          public Principal getUserPrincipal() {
            return Caller.ANONYMOUS;
          }

          @Override
          public boolean isUserInRole(String role) {
            return true;
          }

          @Override
          public boolean isSecure() {
            return original != null && original.isSecure();
          }

          @Override
          public String getAuthenticationScheme() {
            return "none";
          }
        });
  }
}
