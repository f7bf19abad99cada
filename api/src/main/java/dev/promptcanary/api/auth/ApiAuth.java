package dev.promptcanary.api.auth;

import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.api.config.AuthFactory;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.UnauthorizedHandler;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires API keys into Jersey: a Bearer credential authenticated from this node's {@link KeyCache},
 * roles checked by {@code @RolesAllowed}. With {@code auth.enabled: false}, every request is {@link
 * Caller#ANONYMOUS}.
 */
public final class ApiAuth {
  private static final Logger LOG = LoggerFactory.getLogger(ApiAuth.class);

  private ApiAuth() {}

  /** Registers authentication and returns this node's key cache (managed: started before use). */
  public static KeyCache register(AuthFactory config, Environment environment, ApiKeyDao keys) {
    bootstrap(config, keys);
    KeyCache cache = new KeyCache(keys, config.getReloadInterval().toJavaDuration());
    environment.lifecycle().manage(cache);
    var jersey = environment.jersey();
    if (config.isEnabled()) {
      jersey.register(
          new AuthDynamicFeature(
              new OAuthCredentialAuthFilter.Builder<Caller>()
                  .setAuthenticator(new KeyAuthenticator(cache))
                  .setAuthorizer(new RoleAuthorizer())
                  .setPrefix("Bearer")
                  .setRealm("promptcanary")
                  .setUnauthorizedHandler(
                      new UnauthorizedHandler() {
                        @Override
                        public Response buildResponse(String prefix, String realm) {
                          return challenge(prefix, realm);
                        }
                      })
                  .buildAuthFilter()));
    } else {
      LOG.warn("auth.enabled is false: every request may do everything, as 'anonymous'");
      jersey.register(new AnonymousFilter());
    }
    jersey.register(RolesAllowedDynamicFeature.class);
    return cache;
  }

  /**
   * The 401 without a body, so the API's exception mapper answers it in the error shape (or, for a
   * web page, with the page that asks for a key).
   */
  private static Response challenge(String prefix, String realm) {
    return Response.status(Response.Status.UNAUTHORIZED)
        .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
        .build();
  }

  /** The admin key from configuration or the environment, stored once: on the first start. */
  static void bootstrap(AuthFactory config, ApiKeyDao keys) {
    String secret = config.bootstrapSecret();
    if (secret.isEmpty()) {
      return;
    }
    if (secret.length() < ApiKeys.MIN_BOOTSTRAP_LENGTH) {
      throw new IllegalArgumentException(
          AuthFactory.BOOTSTRAP_ENV
              + " must be at least "
              + ApiKeys.MIN_BOOTSTRAP_LENGTH
              + " characters (e.g. the output of `openssl rand -base64 32`)");
    }
    boolean stored =
        keys.bootstrapAdmin(
            config.getBootstrapAdminName(), ApiKeys.hash(secret), ApiKeys.shown(secret));
    if (stored) {
      LOG.info("stored the bootstrap admin key as '{}'", config.getBootstrapAdminName());
    } else {
      LOG.info("bootstrap admin key ignored: the database already has a live admin key");
    }
  }
}
