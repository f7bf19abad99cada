package dev.promptcanary.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key secrets: {@code pck_} and 32 random bytes in URL-safe base64 (recognisable in a leaked
 * log or a secret scanner). Only the SHA-256 of a secret is stored; a fast hash is enough because
 * the secret has 256 bits of entropy, nothing to guess.
 */
public final class ApiKeys {
  public static final String PREFIX = "pck_";
  private static final int SECRET_BYTES = 32;

  /** Shown in lists so people can tell keys apart: the prefix and the first 8 characters. */
  private static final int SHOWN_CHARACTERS = PREFIX.length() + 8;

  /** The shortest secret accepted from the environment for the bootstrap admin key. */
  public static final int MIN_BOOTSTRAP_LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  public static String newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String shown(String secret) {
    return secret.substring(0, Math.min(SHOWN_CHARACTERS, secret.length())) + "…";
  }
}
