package dev.promptcanary.api.ui;

import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import io.dropwizard.views.common.View;
import java.nio.charset.StandardCharsets;

/**
 * One server-rendered page: a FreeMarker template beside this class ({@code .ftlh}, so every value
 * is HTML-escaped) and the record it shows, under {@code page}.
 */
public final class Page extends View {
  private final String title;
  private final Object page;
  private Viewer viewer = Viewer.of(null);

  /** Who is looking: the page shows only the controls the key's role may use. */
  public record Viewer(String name, String role, boolean mayControl, boolean mayBypass) {
    static Viewer of(Caller caller) {
      if (caller == null) {
        return new Viewer("", "", false, false);
      }
      return new Viewer(
          caller.name(),
          caller.role().wireName(),
          caller.role().includes(Role.DEPLOYER),
          caller.role().includes(Role.ADMIN));
    }
  }

  private Page(String template, String title, Object page) {
    super(template + ".ftlh", StandardCharsets.UTF_8);
    this.title = title;
    this.page = page;
  }

  static Page of(String template, String title, Object page) {
    return new Page(template, title, page);
  }

  Page seenBy(Caller caller) {
    this.viewer = Viewer.of(caller);
    return this;
  }

  public Viewer getViewer() {
    return viewer;
  }

  public String getTitle() {
    return title;
  }

  public Object getPage() {
    return page;
  }
}
