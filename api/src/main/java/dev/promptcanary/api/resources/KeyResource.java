package dev.promptcanary.api.resources;

import dev.promptcanary.activities.store.ApiKeyDao;
import dev.promptcanary.activities.store.ApiKeyDao.ApiKey;
import dev.promptcanary.api.auth.ApiKeys;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.KeyCache;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * API keys (admin only): create (the secret is in this answer and nowhere else, ever), list
 * (without secrets), revoke and rotate. A revoked key is refused by every node within a second.
 */
@Path("/v1/keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class KeyResource {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyResource.class);

  /** A key just created: the only answer that carries its secret. */
  public record CreatedKey(ApiKey key, String secret, String note) {
    static CreatedKey of(ApiKey key, String secret) {
      return new CreatedKey(
          key, secret, "the secret is shown once; send it as 'Authorization: Bearer <secret>'");
    }
  }

  private static final List<String> ROLES =
      Arrays.stream(Role.values()).map(Role::wireName).toList();

  private final ApiKeyDao keys;
  private final KeyCache cache;

  public KeyResource(ApiKeyDao keys, KeyCache cache) {
    this.keys = keys;
    this.cache = cache;
  }

  @POST
  @RolesAllowed(Role.ADMIN_NAME)
  public Response create(
      @Valid @NotNull CreateKeyRequest request, @Context SecurityContext security) {
    Role role = Role.parse(request.role());
    if (role == null) {
      throw ApiException.invalid("role", "role must be one of " + ROLES);
    }
    String secret = ApiKeys.newSecret();
    ApiException taken =
        ApiException.conflict(
            "name",
            "a live key is already named '" + request.name() + "'; revoke or rotate it instead");
    ApiKey key;
    try {
      key =
          keys.create(
                  request.name(),
                  role.wireName(),
                  ApiKeys.hash(secret),
                  ApiKeys.shown(secret),
                  Caller.of(security).actor())
              .orElseThrow(() -> taken);
    } catch (UnableToExecuteStatementException raced) {
      // Two requests for the same name at once: the unique index took one of them.
      throw taken;
    }
    cache.reload();
    return Response.created(URI.create("/v1/keys/" + key.id()))
        .entity(CreatedKey.of(key, secret))
        .build();
  }

  @GET
  @RolesAllowed(Role.ADMIN_NAME)
  public List<ApiKey> list(
      @QueryParam("revoked") String revoked,
      @QueryParam("limit") String limit,
      @QueryParam("offset") String offset) {
    boolean includeRevoked = bool("revoked", revoked);
    Params.Page page = Params.page(limit, offset);
    return keys.list(includeRevoked, page.limit(), page.offset());
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(Role.ADMIN_NAME)
  public ApiKey get(@PathParam("id") String id) {
    return existing(id);
  }

  /** Revokes a key; revoking a revoked key again answers it unchanged. */
  @DELETE
  @Path("/{id}")
  @RolesAllowed(Role.ADMIN_NAME)
  public ApiKey revoke(
      @PathParam("id") String id,
      @QueryParam("reason") String reason,
      @Context SecurityContext security) {
    ApiKey key = existing(id);
    if (key.live() && Role.ADMIN.wireName().equals(key.role()) && keys.liveAdmins() <= 1) {
      throw ApiException.conflict(
          "id",
          "key "
              + key.id()
              + " is the last live admin key; create another admin key first (or use `key create"
              + " --role admin` against the database)");
    }
    ApiKey revoked =
        keys.revoke(key.id(), Caller.of(security).actor(), reason(reason)).orElseThrow();
    cache.reload();
    if (key.live()) {
      logRevoked(key, revoked.revokedBy(), "revoked");
    }
    return revoked;
  }

  /** A new secret for the same name and role; the old secret stops working at once. */
  @POST
  @Path("/{id}/rotate")
  @RolesAllowed(Role.ADMIN_NAME)
  public Response rotate(
      @PathParam("id") String id,
      @QueryParam("reason") String reason,
      @Context SecurityContext security) {
    ApiKey key = existing(id);
    if (!key.live()) {
      throw ApiException.conflict("id", "key " + key.id() + " is revoked; create a new key");
    }
    String secret = ApiKeys.newSecret();
    ApiKey created =
        keys.rotate(
                key.id(),
                ApiKeys.hash(secret),
                ApiKeys.shown(secret),
                Caller.of(security).actor(),
                reason(reason))
            .orElseThrow(
                () -> ApiException.conflict("id", "key " + key.id() + " was revoked meanwhile"));
    cache.reload();
    logRevoked(key, created.createdBy(), "rotated (replaced by key " + created.id() + ")");
    return Response.created(URI.create("/v1/keys/" + created.id()))
        .entity(CreatedKey.of(created, secret))
        .build();
  }

  /**
   * A revocation in the log too: the one record of it outside PostgreSQL, which a restore from a
   * backup older than the revocation needs to revoke the key again (docs/operations.md, section 8).
   */
  static void logRevoked(ApiKey key, String by, String what) {
    LOG.info(
        "API key {} '{}' ({}, prefix {}) {} by {}",
        key.id(),
        key.name(),
        key.role(),
        key.prefix(),
        what,
        by);
  }

  private ApiKey existing(String id) {
    long number;
    try {
      number = Long.parseLong(id.strip());
    } catch (NumberFormatException e) {
      throw ApiException.invalid("id", "id must be a key's number, was '" + id + "'");
    }
    return keys.find(number)
        .orElseThrow(() -> ApiException.notFound("id", "no key with id " + number));
  }

  private static boolean bool(String field, String value) {
    if (value == null || value.isBlank()) {
      return false;
    }
    return switch (value.strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.invalid(field, field + " must be true or false");
    };
  }

  private static String reason(String reason) {
    if (reason == null || reason.isBlank()) {
      return null;
    }
    if (reason.length() > 2000 || reason.chars().anyMatch(c -> c == 0)) {
      throw ApiException.invalid("reason", "reason must be at most 2000 characters, without NUL");
    }
    return reason.strip();
  }
}
