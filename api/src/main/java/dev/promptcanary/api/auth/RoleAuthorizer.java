package dev.promptcanary.api.auth;

import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/** {@code @RolesAllowed("deployer")} admits deployer and admin keys: roles are ordered. */
public final class RoleAuthorizer implements Authorizer<Caller> {
  @Override
  public boolean authorize(Caller caller, String role, ContainerRequestContext request) {
    Role required = Role.parse(role);
    if (required == null) {
      throw new IllegalStateException("@RolesAllowed names an unknown role: " + role);
    }
    return caller.role().includes(required);
  }
}
