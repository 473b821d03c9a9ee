// /changes: new events arrive over server-sent events (/changes/stream, the commit-order cursor of
// `history --follow`) and are put at the top of the table. Rows are built with textContent only,
// so an image name is always text, never markup.
(function () {
  'use strict';
  var source = null;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function show(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'string') return JSON.stringify(v);
    if (Array.isArray(v) && v.every(function (t) { return t && typeof t === 'object' && 'key' in t; })) {
      return v.length === 0 ? '(none)' : v.map(function (t) { return t.key + '=' + t.value; }).join(', ');
    }
    return JSON.stringify(v);
  }
  function badge(label) { return el('span', 'badge status-' + (/^[a-z_]+$/.test(label) ? label : 'unknown'), label); }
  function td(label) { var c = el('td'); c.setAttribute('data-label', label); return c; }
  function changesList(changes) {
    var ul = el('ul', 'changes');
    Object.keys(changes || {}).sort().forEach(function (field) {
      if (field === 'status') return;
      var c = changes[field] || {};
      var li = el('li');
      li.appendChild(el('span', 'chg-field', field));
      li.appendChild(document.createTextNode(': '));
      if (field === 'tags') {
        var before = {}, after = {};
        (c.old || []).forEach(function (t) { before[t.key] = t.value; });
        (c.new || []).forEach(function (t) { after[t.key] = t.value; });
        Object.keys(after).forEach(function (k) {
          if (!(k in before)) li.appendChild(el('ins', null, '+ ' + k + '=' + after[k]));
          else if (before[k] !== after[k]) li.appendChild(el('span', 'chg', k + ': ' + before[k] + ' → ' + after[k]));
          li.appendChild(document.createTextNode(' '));
        });
        Object.keys(before).forEach(function (k) {
          if (!(k in after)) { li.appendChild(el('del', null, '− ' + k + '=' + before[k])); li.appendChild(document.createTextNode(' ')); }
        });
      } else {
        li.appendChild(el('del', null, show(c.old)));
        li.appendChild(document.createTextNode(' → '));
        li.appendChild(el('ins', null, show(c.new)));
      }
      ul.appendChild(li);
    });
    return ul;
  }
  function row(e) {
    var tr = el('tr', 'new');
    tr.setAttribute('data-event-id', e.eventId);
    var when = td('When');
    var t = el('time', null, e.observedAt);
    t.setAttribute('datetime', e.observedAt);
    when.appendChild(t);
    var image = td('Image');
    var a = el('a', null, e.imageId);
    a.href = '/images/' + encodeURIComponent(e.imageId) + '?account=' + encodeURIComponent(e.account);
    image.appendChild(a);
    image.appendChild(el('div', 'small', (e.name || '') + ' · ' + e.account + ' · ' + e.regionId));
    var kind = td('Kind');
    kind.appendChild(el('span', 'kind kind-' + e.kind, e.kind));
    var status = td('Status');
    if (e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus) {
      status.appendChild(badge(e.fromStatus)); status.appendChild(document.createTextNode(' → ')); status.appendChild(badge(e.toStatus));
    } else if (e.toStatus || e.fromStatus) status.appendChild(badge(e.toStatus || e.fromStatus));
    var what = td('What changed');
    what.appendChild(changesList(e.changes));
    [when, image, kind, status, what].forEach(function (c) { tr.appendChild(c); });
    return tr;
  }
  function start() {
    var status = document.getElementById('live-status');
    if (source) { source.close(); source = null; }
    if (!status || typeof EventSource === 'undefined') return;
    source = new EventSource(status.getAttribute('data-stream'));
    var base = status.textContent;
    source.addEventListener('change', function (m) {
      var body = document.getElementById('events-body');
      if (!body) return;
      var e = JSON.parse(m.data);
      if (body.querySelector('tr[data-event-id="' + String(e.eventId).replace(/[^0-9]/g, '') + '"]')) return;
      var tr = row(e);
      body.insertBefore(tr, body.firstChild);
      var empty = document.getElementById('changes-empty');
      if (empty) empty.hidden = true;
      if (window.swasConsole) window.swasConsole.applyTimes(tr);
      status.className = 'live';
      status.textContent = base;
    });
    source.addEventListener('wait', function (m) {
      status.className = 'live waiting';
      status.textContent = 'Waiting for the database: ' + JSON.parse(m.data).reason;
    });
    source.addEventListener('error', function () {
      status.className = 'live waiting';
      status.textContent = 'Connection lost; reconnecting…';
    });
    source.addEventListener('open', function () { status.className = 'live'; status.textContent = base; });
  }
  document.addEventListener('DOMContentLoaded', start);
  document.addEventListener('htmx:afterSettle', start);
})();
