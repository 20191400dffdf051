// jobordre console: progressive enhancement only. Every page works without this file; with it,
// the design system's components come alive and the session-timeout dialog warns before an
// idle session ends.
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.remove('no-js');
  root.classList.add('js');

  document.addEventListener('DOMContentLoaded', function () {
    if (window.DKFDS && typeof window.DKFDS.init === 'function') {
      window.DKFDS.init();
    }
    sessionTimeout();
    printButtons();
  });

  // A print button (the insight page's "Udskriv") is hidden in the page as sent: without this
  // file it could do nothing, and the browser's own print command prints the same page.
  function printButtons() {
    var buttons = document.querySelectorAll('.js-print');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener('click', function () { window.print(); });
    }
  }

  // The design system's session-timeout pattern: a forced-action modal SessionWarnBefore
  // seconds before the session ends, counting down; "stay logged in" extends the session on the
  // server, otherwise the browser goes to the login page (which returns here) when time is up.
  function sessionTimeout() {
    var body = document.body;
    if (!body.hasAttribute('data-session-ends-in')) {
      return;
    }
    var modalEl = document.getElementById('session-timeout');
    if (!modalEl || !window.DKFDS || !window.DKFDS.Modal) {
      return;
    }
    var modal = new window.DKFDS.Modal(modalEl);
    var countdown = modalEl.querySelector('[data-session-countdown]');
    var labels = document.querySelector('[data-session-minutes-label]');
    var warnBefore = parseInt(body.getAttribute('data-session-warn-before'), 10) || 0;
    var endsAt = 0;
    var warnTimer = null;
    var tick = null;
    var open = false;

    function schedule(endsIn) {
      endsAt = Date.now() + endsIn * 1000;
      clearTimeout(warnTimer);
      warnTimer = setTimeout(warn, Math.max(0, (endsIn - warnBefore) * 1000));
    }

    function format(seconds) {
      var m = Math.floor(seconds / 60);
      var s = seconds % 60;
      var min = labels ? labels.getAttribute('data-session-minutes-label') : 'min';
      var sec = labels ? labels.getAttribute('data-session-seconds-label') : 's';
      return (m > 0 ? m + ' ' + min + ' ' : '') + s + ' ' + sec;
    }

    function update() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      countdown.textContent = format(left);
      if (left <= 0) {
        clearInterval(tick);
        var next = location.pathname + location.search;
        location.href = '/login?expired=1&next=' + encodeURIComponent(next);
      }
    }

    function warn() {
      if (open) {
        return;
      }
      open = true;
      update();
      modal.show();
      clearInterval(tick);
      tick = setInterval(update, 1000);
    }

    function close() {
      open = false;
      clearInterval(tick);
      modal.hide();
    }

    var stay = modalEl.querySelector('[data-session-extend]');
    stay.addEventListener('click', function () {
      stay.disabled = true;
      fetch('/session/extend', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': body.getAttribute('data-csrf-token') }
      }).then(function (r) {
        if (!r.ok) {
          throw new Error('extend failed: ' + r.status);
        }
        return r.json();
      }).then(function (data) {
        close();
        schedule(data.ends_in);
      }).catch(function () {
        // The session is gone: the login page says so and returns here.
        location.href = '/login?expired=1&next=' + encodeURIComponent(location.pathname + location.search);
      }).finally(function () {
        stay.disabled = false;
      });
    });

    // A partial update (htmx) is a request too: the server tells how long the session has left.
    document.addEventListener('htmx:after:request', function (evt) {
      var h = evt.detail && evt.detail.ctx && evt.detail.ctx.response && evt.detail.ctx.response.headers;
      var v = h && h.get('X-Session-Ends-In');
      if (v && !open) {
        schedule(parseInt(v, 10));
      }
    });

    schedule(parseInt(body.getAttribute('data-session-ends-in'), 10));
  }
})();
