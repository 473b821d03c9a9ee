// swas-inventory console: times in UTC or the browser's zone (the toggle is remembered), after
// every page load and every htmx swap. No inline script anywhere: the CSP allows only these files.
(function () {
  'use strict';
  var KEY = 'swas-console-tz';
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function zoneName(d) {
    try {
      var part = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(d)
        .filter(function (p) { return p.type === 'timeZoneName'; })[0];
      return part ? part.value : 'local';
    } catch { return 'local'; }
  }
  function format(iso, local) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    if (!local) return iso.slice(0, 10) + ' ' + iso.slice(11, 19) + ' UTC';
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + ' ' + zoneName(d);
  }
  function isLocal() { try { return localStorage.getItem(KEY) === 'local'; } catch { return false; } }
  function applyTimes(root) {
    var local = isLocal();
    var times = (root || document).querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) times[i].textContent = format(times[i].getAttribute('datetime'), local);
    var button = document.getElementById('tz-toggle');
    if (button) {
      button.textContent = local ? 'Times: local (' + zoneName(new Date()) + ')' : 'Times: UTC';
      button.setAttribute('aria-pressed', local ? 'true' : 'false');
    }
  }
  function init() {
    var button = document.getElementById('tz-toggle');
    if (button && !button.dataset.bound) {
      button.dataset.bound = '1';
      button.addEventListener('click', function () {
        try { localStorage.setItem(KEY, isLocal() ? 'utc' : 'local'); } catch { /* private mode: no memory */ }
        applyTimes(document);
      });
    }
    applyTimes(document);
  }
  window.swasConsole = { applyTimes: applyTimes, formatTime: format, isLocal: isLocal };
  document.addEventListener('DOMContentLoaded', init);
  document.addEventListener('htmx:afterSettle', function () { applyTimes(document); });
})();
