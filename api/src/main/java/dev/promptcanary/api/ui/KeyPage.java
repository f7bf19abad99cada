package dev.promptcanary.api.ui;

/**
 * What a page under {@code /ui} answers without a key (401) or with one whose role may not read
 * (403): a form asking for a key. The key is kept in this browser (localStorage) and the page is
 * fetched again with it as the Bearer header, then shown. Plain HTML and a few lines of script, no
 * template: it must render even when nothing else does.
 */
public final class KeyPage {
  private KeyPage() {}

  public static String html(int status) {
    String notice =
        status == 403
            ? "This key's role may not read these pages: use a reader, deployer or admin key."
            : "These pages need an API key (reader, deployer or admin).";
    return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>API key · promptcanary</title>
        <style>
          body { font: 14px/1.45 system-ui, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
          header { background: #24292f; color: #fff; padding: 10px 24px; font-weight: 600; }
          main { padding: 16px 24px; max-width: 720px; }
          input, button { font: inherit; padding: 3px 6px; }
          .notice { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; }
        </style></head>
        <body><header>promptcanary</header><main>
        <p class="notice" id="notice">%s</p>
        <form id="key-form"><input id="key" type="password" size="60" autocomplete="off"
          placeholder="pck_…" aria-label="API key"> <button>Use this key</button></form>
        <p>The key is kept in this browser only and sent as <code>Authorization: Bearer</code>.</p>
        </main>
        <script>
        (function () {
          var KEY = "promptcanary.apiKey";
          function show(key) {
            fetch(location.href, {headers: {"Authorization": "Bearer " + key, "Accept": "text/html"}})
              .then(function (r) {
                if (r.status === 401) {
                  localStorage.removeItem(KEY);
                  document.getElementById("notice").textContent = "That key is not valid (revoked or mistyped).";
                  return null;
                }
                if (r.status === 403) {
                  document.getElementById("notice").textContent = "This key's role may not read these pages.";
                  return null;
                }
                return r.text();
              })
              .then(function (html) {
                if (html !== null) { document.open(); document.write(html); document.close(); }
              });
          }
          document.getElementById("key-form").addEventListener("submit", function (e) {
            e.preventDefault();
            var key = document.getElementById("key").value.trim();
            if (key) { localStorage.setItem(KEY, key); show(key); }
          });
          var stored = localStorage.getItem(KEY);
          if (stored && %s) { show(stored); }
        })();
        </script></body></html>
        """
        .formatted(notice, status == 401 ? "true" : "false");
  }
}
