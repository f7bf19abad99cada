package dev.promptcanary.api.auth;

import io.dropwizard.auth.Authenticator;
import java.util.Optional;

/** A Bearer credential is a caller when it is a live key on this node. */
public final class KeyAuthenticator implements Authenticator<String, Caller> {
  private final KeyCache keys;

  public KeyAuthenticator(KeyCache keys) {
    this.keys = keys;
  }

  @Override
  public Optional<Caller> authenticate(String secret) {
    return secret == null || secret.isBlank() ? Optional.empty() : keys.find(secret.strip());
  }
}
