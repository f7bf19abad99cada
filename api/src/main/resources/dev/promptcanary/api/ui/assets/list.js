// The rollout list keeps itself current: every 5 s it fetches this same page (with the API key, as the
// key page did) and swaps the table in. The HTML comes from the server's escaping templates.
(function () {
  "use strict";
  var KEY = "promptcanary.apiKey";
  var status = document.getElementById("live-status");
  function poll() {
    fetch(location.href, {headers: {"Authorization": "Bearer " + localStorage.getItem(KEY), "Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("rollout-list");
        var current = document.getElementById("rollout-list");
        if (fresh && current) { current.innerHTML = fresh.innerHTML; }
        status.textContent = "updated " + new Date().toLocaleTimeString() + ".";
      })
      .catch(function (e) { status.textContent = "not updated (" + e.message + ")."; })
      .finally(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 5000);
})();
