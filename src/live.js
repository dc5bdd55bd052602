// Injected by `sitrep serve` only: reload on rebuild, show build errors over the page.
(function () {
  "use strict";
  var overlay = null;
  var events = null;
  function show(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "sitrep-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;margin:0;padding:1rem;" +
        "background:#7a1010;color:#fff;font:14px/1.4 monospace;white-space:pre-wrap;z-index:99999";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "sitrep: the build failed; showing the last good build.\n\n" + message;
  }
  function connect() {
    events = new EventSource("/__sitrep/events");
    events.addEventListener("reload", function () { location.reload(); });
    events.addEventListener("build-error", function (e) { show(e.data); });
  }
  // A page left open in the back/forward cache must not hold a connection: browsers allow
  // only a few per host, and the next page would wait for one.
  window.addEventListener("pagehide", function () { if (events) { events.close(); events = null; } });
  window.addEventListener("pageshow", function () { if (!events) connect(); });
  connect();
})();
