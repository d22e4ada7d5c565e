// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Tell the server the browser's time zone once, so times can be shown in
  // the viewer's zone when they have not chosen one (a cookie, not a setting).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("tz=") === -1) {
      document.cookie = "tz=" + encodeURIComponent(tz) + "; path=/; SameSite=Lax; max-age=31536000";
    }
  } catch (e) { /* old browser: server falls back to UTC */ }

  // Focus the search box with "/" like most consoles do.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var box = document.querySelector("[data-testid=search-input]");
    if (box) { ev.preventDefault(); box.focus(); box.select(); }
  });
})();
