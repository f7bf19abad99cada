package dev.promptcanary.api.resources;

import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The audit log, oldest first, a page at a time: pass the answer's {@code nextAfter} as {@code
 * after} for the next page ({@code null} when this page is the last).
 */
@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
  /** A page of entries and where the next one starts. */
  public record AuditPage(List<AuditDao.Entry> entries, Long nextAfter) {}

  private static final Pattern PROMPT = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,99}$");
  private static final int MAX_TEXT = 200;

  /** Instants PostgreSQL stores and people mean: years 1 to 9999. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private final AuditDao audit;

  public AuditResource(AuditDao audit) {
    this.audit = audit;
  }

  @GET
  @RolesAllowed(Role.READER_NAME)
  public AuditPage find(
      @QueryParam("prompt") String prompt,
      @QueryParam("rollout") String rollout,
      @QueryParam("actor") String actor,
      @QueryParam("since") String since,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    String promptFilter = blankToNull(prompt);
    if (promptFilter != null && !PROMPT.matcher(promptFilter).matches()) {
      throw ApiException.invalid("prompt", "prompt " + Params.PROMPT_NAME_RULE);
    }
    Instant from = Params.instant("since", since, null);
    if (from != null && (from.isBefore(EARLIEST) || from.isAfter(LATEST))) {
      throw ApiException.invalid("since", "since must be within the years 1 to 9999");
    }
    int pageSize = Params.intInRange("limit", limit, 100, 1, Params.MAX_PAGE);
    long afterId = afterId(after);
    List<AuditDao.Entry> entries =
        audit.find(
            new AuditDao.Query(
                promptFilter,
                text("rollout", rollout),
                text("actor", actor),
                from,
                afterId,
                pageSize + 1));
    boolean more = entries.size() > pageSize;
    List<AuditDao.Entry> page = more ? entries.subList(0, pageSize) : entries;
    return new AuditPage(page, more ? page.get(page.size() - 1).id() : null);
  }

  private static long afterId(String after) {
    if (after == null || after.isBlank()) {
      return 0;
    }
    try {
      long id = Long.parseLong(after.strip());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(
        "after", "after must be the nextAfter of an earlier page (an integer >= 0)");
  }

  /** A free-text filter: at most 200 characters, no control characters. */
  private static String text(String field, String value) {
    String filter = blankToNull(value);
    if (filter == null) {
      return null;
    }
    if (filter.length() > MAX_TEXT || filter.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.invalid(
          field, field + " must be at most " + MAX_TEXT + " characters without control characters");
    }
    return filter;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
