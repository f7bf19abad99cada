package dev.promptcanary.api.ui;

import io.dropwizard.views.common.View;
import java.nio.charset.StandardCharsets;

/**
 * One server-rendered page: a FreeMarker template beside this class ({@code .ftlh}, so every value
 * is HTML-escaped) and the record it shows, under {@code page}.
 */
public final class Page extends View {
  private final String title;
  private final Object page;
  private final int refreshSeconds;

  private Page(String template, String title, Object page, int refreshSeconds) {
    super(template + ".ftlh", StandardCharsets.UTF_8);
    this.title = title;
    this.page = page;
    this.refreshSeconds = refreshSeconds;
  }

  static Page of(String template, String title, Object page) {
    return new Page(template, title, page, 0);
  }

  /** A page that reloads itself every {@code seconds} (a meta refresh: no script). */
  static Page refreshing(String template, String title, Object page, int seconds) {
    return new Page(template, title, page, seconds);
  }

  public String getTitle() {
    return title;
  }

  public Object getPage() {
    return page;
  }

  public int getRefreshSeconds() {
    return refreshSeconds;
  }
}
