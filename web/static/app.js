// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.add("js");

  // Tell the server the browser's time zone once, so times can be shown in
  // the viewer's zone when they have not chosen one (a cookie, not a setting).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && doc.cookie.indexOf("tz=") === -1) {
      doc.cookie = "tz=" + encodeURIComponent(tz) + "; path=/; SameSite=Lax; max-age=31536000";
    }
  } catch (e) { /* old browser: server falls back to UTC */ }

  function closest(el, sel) { return el && el.closest ? el.closest(sel) : null; }

  // Focus the search box with "/" like most consoles do.
  doc.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var box = doc.querySelector("[data-testid=search-input]");
    if (box) { ev.preventDefault(); box.focus(); box.select(); }
  });

  // Empty filters stay out of the URL: ?status=ACTIVE, not ?from=&to=&status=ACTIVE.
  function dropEmpty(fd) {
    var keys = [];
    fd.forEach(function (v, k) { if (keys.indexOf(k) < 0) keys.push(k); });
    keys.forEach(function (k) {
      var vals = fd.getAll(k).filter(function (v) { return typeof v !== "string" || v.trim() !== ""; });
      fd.delete(k);
      vals.forEach(function (v) { fd.append(k, v); });
    });
    return fd;
  }
  doc.addEventListener("htmx:configRequest", function (ev) {
    if (ev.detail.verb !== "get" || !ev.detail.formData) return;
    dropEmpty(ev.detail.formData);
  });
  doc.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !form || (form.method || "").toLowerCase() !== "get" || form.hasAttribute("hx-get")) return;
    var fd = dropEmpty(new FormData(form, ev.submitter || undefined));
    var qs = new URLSearchParams(fd).toString();
    var action = form.getAttribute("action") || location.pathname;
    ev.preventDefault();
    location.assign(action + (qs ? "?" + qs : ""));
  });

  // The menu on narrow screens.
  doc.addEventListener("click", function (ev) {
    var btn = closest(ev.target, ".menu-toggle");
    if (!btn) return;
    var menu = doc.getElementById(btn.getAttribute("aria-controls"));
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) menu.classList.toggle("open", open);
  });

  // Copy an id: the button says so for a moment.
  doc.addEventListener("click", function (ev) {
    var btn = closest(ev.target, "[data-copy]");
    if (!btn) return;
    ev.preventDefault();
    var text = btn.getAttribute("data-copy");
    var done = function () {
      btn.classList.add("copied");
      btn.textContent = "copied";
      setTimeout(function () { btn.classList.remove("copied"); btn.textContent = "copy"; }, 1200);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {});
    }
  });

  // Print.
  doc.addEventListener("click", function (ev) {
    if (closest(ev.target, "[data-print]")) { ev.preventDefault(); window.print(); }
  });

  // Filter table rows by a search box (the reassign panel's agent finder).
  doc.addEventListener("input", function (ev) {
    var box = ev.target;
    if (!box.hasAttribute || !box.hasAttribute("data-filter-rows")) return;
    var needle = box.value.trim().toLowerCase();
    doc.querySelectorAll(box.getAttribute("data-filter-rows")).forEach(function (row) {
      row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
    });
  });

  // Select-all and the "N selected" count of the bulk move.
  function bulkCount() {
    var n = doc.querySelectorAll("[data-testid=bulk-select]:checked").length;
    doc.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n + " selected"; });
    var all = doc.querySelector("[data-select-all]");
    if (all) {
      var boxes = doc.querySelectorAll(all.getAttribute("data-select-all"));
      all.checked = boxes.length > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
    return n;
  }
  doc.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.hasAttribute && t.hasAttribute("data-select-all")) {
      doc.querySelectorAll(t.getAttribute("data-select-all")).forEach(function (b) { b.checked = t.checked; });
    }
    if (t.matches && (t.matches("[data-select-all]") || t.matches("[data-testid=bulk-select]"))) bulkCount();
  });
  doc.addEventListener("htmx:afterSettle", bulkCount);
  doc.addEventListener("DOMContentLoaded", bulkCount);

  // A bulk move asks first, and says what it costs upstream.
  var pending = null;
  doc.addEventListener("htmx:confirm", function (ev) {
    var form = ev.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm-bulk")) return;
    ev.preventDefault();
    pending = ev.detail.issueRequest;
    var n = bulkCount();
    var agent = form.querySelector("[name=agentId]"), queue = form.querySelector("[name=queueId]");
    var target = (agent && agent.value) ? agent.options[agent.selectedIndex].text.trim()
      : (queue && queue.value) ? "queue " + queue.options[queue.selectedIndex].text.trim() : "";
    var box = form.querySelector("[data-bulk-confirm]");
    var text = form.querySelector("[data-bulk-confirm-text]");
    if (n === 0) { text.textContent = "Tick the live conversations to move first."; }
    else if (!target) { text.textContent = "Choose an agent or a queue to move them to."; }
    else {
      var rate = parseInt(form.getAttribute("data-rate"), 10) || 0;
      var perCall = parseInt(form.getAttribute("data-ms-per-call"), 10) || 0;
      var secs = Math.round(n * perCall / 1000);
      var about = secs < 1 ? "" : secs < 90 ? ", about " + secs + " s" : ", about " + Math.round(secs / 60) + " min";
      text.textContent = "Move " + n + (n === 1 ? " conversation" : " conversations") + " to " + target + "? " +
        "This sends " + n + (n === 1 ? " call" : " calls") + " to upstream, one per conversation, at background priority" +
        (rate ? " within its budget of " + rate + " calls a minute" : "") + about + " at the current share.";
    }
    box.querySelector("[data-bulk-confirm-yes]").hidden = n === 0 || !target;
    box.hidden = false;
    box.querySelector(n === 0 || !target ? "[data-bulk-confirm-no]" : "[data-bulk-confirm-yes]").focus();
  });
  doc.addEventListener("click", function (ev) {
    var yes = closest(ev.target, "[data-bulk-confirm-yes]"), no = closest(ev.target, "[data-bulk-confirm-no]");
    if (!yes && !no) return;
    var form = closest(ev.target, "form");
    form.querySelector("[data-bulk-confirm]").hidden = true;
    var go = pending;
    pending = null;
    if (yes && go) go(true);
  });

  // Live pages. Running times (waits, ages) tick here between updates,
  // from data-since, against the server's clock (data-server-now), so a
  // browser whose clock is off still shows the server's figures.
  var skew = 0;
  function readServerNow(root) {
    var el = (root && root.querySelector) ? root.querySelector("[data-server-now]") : null;
    if (!el && root && root.getAttribute && root.hasAttribute("data-server-now")) el = root;
    if (!el) el = doc.querySelector("[data-server-now]");
    if (!el) return;
    var t = Date.parse(el.getAttribute("data-server-now"));
    if (!isNaN(t)) skew = t - Date.now();
  }
  function span(ms) {
    if (ms <= 0) return "0 s";
    if (ms < 50) return "< 0.1 s";
    if (ms < 9950) return (Math.round(ms / 100) / 10).toFixed(1) + " s";
    var s = Math.round(ms / 1000);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + pad(s % 60) + " s";
    var m = Math.round(ms / 60000);
    if (m < 1440) return Math.floor(m / 60) + " h " + pad(m % 60) + " min";
    var h = Math.round(ms / 3600000);
    return Math.floor(h / 24) + " d " + pad(h % 24) + " h";
  }
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now() + skew;
    doc.querySelectorAll(".ticker[data-since]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(t)) el.textContent = span(now - t);
    });
  }
  doc.addEventListener("DOMContentLoaded", function () { readServerNow(doc); tick(); });
  doc.addEventListener("htmx:afterSettle", function (ev) { readServerNow(ev.detail.elt); tick(); });
  setInterval(tick, 1000);

  // Streams reconnect by themselves (the server's retry field, and
  // Last-Event-ID spares a state already shown): an error while the
  // browser is reconnecting is part of that, so the SSE extension hears of
  // errors only once the stream is closed for good, when it reconnects it
  // itself. The page says it is reconnecting meanwhile.
  if (window.htmx && window.EventSource) {
    htmx.createEventSource = function (url) {
      var src = new EventSource(url, { withCredentials: true });
      var handler = null;
      Object.defineProperty(src, "onerror", {
        configurable: true,
        get: function () { return handler; },
        set: function (fn) { handler = fn; }
      });
      src.addEventListener("error", function (ev) {
        if (src.readyState === EventSource.CLOSED) {
          if (handler) handler.call(src, ev);
          return;
        }
        doc.querySelectorAll("[data-live-conn][data-state=live]").forEach(function (el) {
          el.textContent = "Reconnecting for live updates…";
          el.setAttribute("data-state", "reconnecting");
        });
      });
      return src;
    };
  }

  // A page that subscribes to the live stream says whether updates arrive,
  // and polls its fragment instead when no event comes through within
  // data-live-fallback-after seconds (a proxy that buffers the stream).
  function setConn(root, text, state) {
    root.querySelectorAll("[data-live-conn]").forEach(function (el) {
      el.textContent = text;
      el.setAttribute("data-state", state);
    });
  }
  function fallback(el) {
    if (el.getAttribute("data-live-state") === "polling" || !window.htmx) return;
    var every = parseInt(el.getAttribute("data-live-poll-every"), 10) || 10;
    el.setAttribute("data-live-state", "polling");
    el.setAttribute("hx-get", el.getAttribute("data-live-poll"));
    el.setAttribute("hx-trigger", "every " + every + "s");
    if (el.hasAttribute("data-live-poll-target")) el.setAttribute("hx-target", el.getAttribute("data-live-poll-target"));
    el.setAttribute("hx-swap", el.getAttribute("data-live-poll-swap") || "innerHTML");
    htmx.process(el);
    setConn(el, "Live updates are not getting through; checking every " + every + " s instead.", "polling");
  }
  function watchStream(el) {
    var after = parseInt(el.getAttribute("data-live-fallback-after"), 10) || 15;
    var timer = setTimeout(function () { fallback(el); }, after * 1000);
    el.addEventListener("htmx:sseMessage", function () {
      clearTimeout(timer);
      if (el.getAttribute("data-live-state") !== "polling") {
        el.setAttribute("data-live-state", "live");
        setConn(el, "Live: updates arrive as they happen.", "live");
      }
    });
    el.addEventListener("htmx:sseError", function () {
      if (el.getAttribute("data-live-state") === "live") setConn(el, "Reconnecting for live updates…", "reconnecting");
    });
  }
  doc.addEventListener("DOMContentLoaded", function () {
    doc.querySelectorAll("[data-live-fallback-after]").forEach(watchStream);
  });
  // The ready event carries nothing to swap; it only proves the stream works.
  doc.addEventListener("DOMContentLoaded", function () {
    doc.querySelectorAll("[sse-connect]").forEach(function (el) {
      el.addEventListener("htmx:sseOpen", function (ev) {
        var src = ev.detail && ev.detail.source;
        if (!src || src.__readyHooked) return;
        src.__readyHooked = true;
        src.addEventListener("ready", function () { htmx.trigger(el, "htmx:sseMessage", {}); });
      });
    });
  });

  // A list that refreshes itself reads the page's current address, and
  // waits while the lead is choosing rows or typing a filter.
  doc.addEventListener("htmx:configRequest", function (ev) {
    if (ev.detail.elt && ev.detail.elt.hasAttribute && ev.detail.elt.hasAttribute("data-live-refresh")) {
      ev.detail.path = location.pathname + location.search;
    }
  });
  doc.addEventListener("htmx:beforeRequest", function (ev) {
    var elt = ev.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-live-refresh")) return;
    var busy = doc.querySelector("[data-testid=bulk-select]:checked") ||
      closest(doc.activeElement, "form") || closest(doc.activeElement, "#reassign-panel");
    if (busy) ev.preventDefault();
  });

  // Once a bulk move is done, the list shows the conversations as they are now.
  doc.addEventListener("htmx:afterSwap", function (ev) {
    var t = ev.detail.target;
    if (!t || t.id !== "bulk-progress" && !closest(t, "#bulk-progress")) return;
    if (doc.querySelector("#bulk-progress [data-final=true]") && doc.getElementById("conv-results") && window.htmx) {
      htmx.ajax("GET", location.pathname + location.search, { target: "#conv-results", swap: "innerHTML" });
    }
  });
})();

// The audit view: clicking a bar, an offer or a message tick of the
// timeline scrolls the transcript to the first message at or after that
// moment, loading the transcript's further pages until it is there.
(function () {
  "use strict";
  var doc = document;
  function messages(list) { return list.querySelectorAll("[data-testid=transcript-message][data-at]"); }
  function firstAtOrAfter(list, ms) {
    var items = messages(list);
    for (var i = 0; i < items.length; i++) {
      if (parseInt(items[i].getAttribute("data-at"), 10) >= ms) return items[i];
    }
    return null;
  }
  function show(el) {
    doc.querySelectorAll(".msg-current").forEach(function (m) { m.classList.remove("msg-current"); });
    el.classList.add("msg-current");
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  }
  function seek(ms, msgID, tries) {
    var list = doc.getElementById("transcript");
    if (!list) return;
    var el = (msgID && doc.getElementById("msg-" + msgID)) || firstAtOrAfter(list, ms);
    if (el) { show(el); return; }
    var more = list.querySelector("[data-transcript-more]");
    if (!more || !window.htmx || tries > 100) {
      var all = messages(list);
      if (all.length) show(all[all.length - 1]); // after the last message
      return;
    }
    var next = function () { seek(ms, msgID, tries + 1); };
    if (more.classList.contains("htmx-request")) {
      // Already loading (it scrolled into view): look again once it is in.
      var again = function () { doc.removeEventListener("htmx:afterSettle", again); next(); };
      doc.addEventListener("htmx:afterSettle", again);
      return;
    }
    var li = more.closest("li");
    window.htmx.ajax("GET", more.getAttribute("hx-get"), { target: li, swap: "outerHTML" }).then(next, function () {});
  }
  doc.addEventListener("click", function (ev) {
    var t = ev.target && ev.target.closest ? ev.target.closest("[data-seek]") : null;
    if (!t) return;
    var ms = parseInt(t.getAttribute("data-seek"), 10);
    if (isNaN(ms)) return;
    ev.preventDefault();
    seek(ms, t.getAttribute("data-msg"), 0);
  });
})();
