package dev.promptcanary.api.auth;

import java.util.Locale;

/**
 * What an API key may do. Roles are ordered: each may do everything the ones before it may.
 *
 * <ul>
 *   <li>{@code client}: resolve, and report observations, judgements, metrics and transcripts (an
 *       app's key);
 *   <li>{@code reader}: read everything (prompts, routing, metrics, suites, rollouts, the audit
 *       log, the web pages);
 *   <li>{@code deployer}: push prompt versions and eval suites, start, pause, resume and abort
 *       rollouts;
 *   <li>{@code admin}: emergency bypass, routing set by hand, API keys.
 * </ul>
 */
public enum Role {
  CLIENT,
  READER,
  DEPLOYER,
  ADMIN;

  /** The names {@code @RolesAllowed} takes: constants, so the annotations compile-check. */
  public static final String CLIENT_NAME = "client";

  public static final String READER_NAME = "reader";
  public static final String DEPLOYER_NAME = "deployer";
  public static final String ADMIN_NAME = "admin";

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a key of this role may do what {@code required} may. */
  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }

  /** The role named {@code name} ({@code client}, ...), or null when there is none. */
  public static Role parse(String name) {
    if (name == null) {
      return null;
    }
    for (Role role : values()) {
      if (role.wireName().equals(name.strip().toLowerCase(Locale.ROOT))) {
        return role;
      }
    }
    return null;
  }
}
