// sitrep's only script: search over the build-time index, and links that work from disk.
// No network requests; everything it reads is in this site.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "./";
  var fromDisk = location.protocol === "file:";

  // Opened from disk, a link to "incidents/x/" would show a folder listing: point it at the
  // folder's index.html instead.
  if (fromDisk) {
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (href.charAt(0) !== "#" && !/^[a-z]+:/i.test(href) && !/^\/\//.test(href)) {
        links[i].setAttribute("href", href.replace(/(^|\/)(#|$)/, "$1index.html$2"));
      }
    }
  }

  var form = document.querySelector("[data-search]");
  var index = window.SITREP_SEARCH;
  if (!form || !index) return;
  var input = form.querySelector("input");
  var list = form.querySelector("ul");
  form.hidden = false;

  function fold(s) {
    return String(s)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/['\u2019\u2018\u02bc`]/g, "")
      .replace(/[^a-z0-9]+/gi, " ")
      .toLowerCase()
      .trim();
  }

  var rows = index.map(function (e) {
    return { e: e, text: " " + fold(e.t + " " + e.x + " " + e.d) };
  });

  function item(text, href, meta) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      li.appendChild(a);
    } else {
      li.textContent = text;
    }
    if (meta) {
      var span = document.createElement("span");
      span.className = "muted";
      span.textContent = " " + meta;
      li.appendChild(span);
    }
    return li;
  }

  function show() {
    var q = fold(input.value);
    list.textContent = "";
    if (!q) return;
    var terms = q.split(" ");
    var hits = rows.filter(function (r) {
      return terms.every(function (t) { return r.text.indexOf(" " + t) >= 0; });
    });
    hits.slice(0, 20).forEach(function (r) {
      var href = root + r.e.u + (fromDisk ? "index.html" : "");
      list.appendChild(item(r.e.t, href, r.e.k + (r.e.d ? " \u00b7 " + r.e.d : "")));
    });
    if (!hits.length) list.appendChild(item("No match."));
  }

  input.addEventListener("input", show);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector("a");
    if (first) location.href = first.href;
  });
})();
