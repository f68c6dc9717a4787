// The moderation page: plain JS against the /admin API, loaded from a file (the CSP allows no
// inline script). User text (report details, evidence) is only ever set as textContent.
(() => {
  'use strict';

  const TOKEN_KEY = 'random-chat-admin-token';
  const PAGE_SIZE = 20;
  const storage = window.sessionStorage;
  const $ = (id) => document.getElementById(id);
  const els = {
    tokenForm: $('token-form'),
    token: $('token'),
    signOut: $('sign-out'),
    notice: $('notice'),
    console: $('console'),
    reportStatus: $('report-status'),
    reports: $('reports'),
    reportsTotal: $('reports-total'),
    reportsMore: $('reports-more'),
    bans: $('bans'),
    audit: $('audit'),
    auditMore: $('audit-more'),
    reportTemplate: $('report-template'),
  };
  const tabs = ['reports', 'bans', 'audit'];
  let reportsCursor = null;
  let auditCursor = null;

  function notify(text) {
    els.notice.textContent = text;
  }

  function when(ms) {
    return new Date(ms).toLocaleString();
  }

  class ApiError extends Error {}

  async function api(method, path, body) {
    const response = await window.fetch('/admin' + path, {
      method,
      headers: Object.assign(
        { authorization: 'Bearer ' + storage.getItem(TOKEN_KEY) },
        body === undefined ? {} : { 'content-type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) {
      signOut();
      throw new ApiError('That token was refused.');
    }
    if (!response.ok) throw new ApiError((data.error && data.error.message) || 'HTTP ' + response.status);
    return data;
  }

  /** Runs a click handler, showing its outcome (or failure) in the notice line. */
  function action(run) {
    return () => {
      run().catch((error) => notify(error instanceof ApiError ? error.message : 'Request failed: ' + error.message));
    };
  }

  // ---- sign in / out -------------------------------------------------------------------------

  function showConsole(signedIn) {
    els.tokenForm.hidden = signedIn;
    els.console.hidden = !signedIn;
    els.signOut.hidden = !signedIn;
  }

  function signOut() {
    storage.removeItem(TOKEN_KEY);
    showConsole(false);
  }

  els.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    storage.setItem(TOKEN_KEY, els.token.value.trim());
    els.token.value = '';
    notify('');
    showConsole(true);
    action(() => loadReports(true))();
  });
  els.signOut.addEventListener('click', () => {
    signOut();
    notify('Signed out.');
  });

  // ---- tabs ----------------------------------------------------------------------------------

  function selectTab(name) {
    for (const tab of tabs) {
      $('tab-' + tab).setAttribute('aria-selected', String(tab === name));
      $('panel-' + tab).hidden = tab !== name;
    }
    const load = { reports: () => loadReports(true), bans: loadBans, audit: () => loadAudit(true) }[name];
    action(load)();
  }
  for (const tab of tabs) $('tab-' + tab).addEventListener('click', () => selectTab(tab));

  // ---- reports -------------------------------------------------------------------------------

  function renderReport(report) {
    const item = els.reportTemplate.content.firstElementChild.cloneNode(true);
    item.dataset.id = report.id;
    item.dataset.reportedId = report.reportedId;
    item.querySelector('.reason').textContent = report.reason;
    item.querySelector('.at').textContent = when(report.at);
    item.querySelector('.status').textContent = report.status;
    item.querySelector('.details').textContent = report.details || '(no details)';
    item.querySelector('.reported').textContent = report.reportedId + ' · address ' + report.reportedIpHash;
    item.querySelector('.reporter').textContent = report.reporterId;
    item.querySelector('.room').textContent = report.roomId;
    const evidence = item.querySelector('.evidence');
    for (const message of report.evidence || []) {
      const line = document.createElement('li');
      const who = message.sender === report.reportedId ? 'reported' : 'reporter';
      line.textContent = who + ': ' + message.text;
      evidence.appendChild(line);
    }
    item.querySelector('.dismiss').disabled = report.status !== 'open';
    item.querySelector('.ban').addEventListener(
      'click',
      action(async () => {
        const body = {
          userId: report.reportedId,
          durationMs: Number(item.querySelector('.ban-duration').value),
          mode: item.querySelector('.ban-mode').value,
          reason: 'report ' + report.id + ' (' + report.reason + ')',
        };
        if (item.querySelector('.ban-ip').checked) body.ipHash = report.reportedIpHash;
        const { ban } = await api('POST', '/bans', body);
        notify('Banned ' + report.reportedId + ' (' + ban.mode + ') until ' + when(ban.until) + '.');
      }),
    );
    item.querySelector('.kick').addEventListener(
      'click',
      action(async () => {
        await api('POST', '/users/' + encodeURIComponent(report.reportedId) + '/disconnect', { reason: 'report ' + report.id });
        notify('Disconnected ' + report.reportedId + '.');
      }),
    );
    item.querySelector('.dismiss').addEventListener(
      'click',
      action(async () => {
        await api('POST', '/reports/' + encodeURIComponent(report.id) + '/dismiss', {});
        notify('Report dismissed.');
        await loadReports(true);
      }),
    );
    return item;
  }

  async function loadReports(fromStart) {
    if (fromStart) reportsCursor = null;
    const query = new window.URLSearchParams({ limit: String(PAGE_SIZE), status: els.reportStatus.value });
    if (reportsCursor) query.set('cursor', reportsCursor);
    const { reports, nextCursor, total } = await api('GET', '/reports?' + query);
    if (fromStart) els.reports.textContent = '';
    for (const report of reports) els.reports.appendChild(renderReport(report));
    els.reportsTotal.textContent = total + ' report' + (total === 1 ? '' : 's');
    reportsCursor = nextCursor;
    els.reportsMore.hidden = !nextCursor;
  }
  $('reports-refresh').addEventListener(
    'click',
    action(() => loadReports(true)),
  );
  els.reportStatus.addEventListener(
    'change',
    action(() => loadReports(true)),
  );
  els.reportsMore.addEventListener(
    'click',
    action(() => loadReports(false)),
  );

  // ---- bans ----------------------------------------------------------------------------------

  function cell(row, text) {
    const td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  async function loadBans() {
    const { bans } = await api('GET', '/bans');
    els.bans.textContent = '';
    for (const ban of bans) {
      const row = document.createElement('tr');
      row.className = 'ban-row';
      row.dataset.id = ban.id;
      cell(row, [ban.userId && 'user ' + ban.userId, ban.ipHash && 'address ' + ban.ipHash].filter(Boolean).join(', '));
      cell(row, ban.mode);
      cell(row, when(ban.until));
      cell(row, ban.reason);
      cell(row, ban.actor);
      const unban = document.createElement('button');
      unban.type = 'button';
      unban.className = 'unban';
      unban.textContent = 'Unban';
      unban.addEventListener(
        'click',
        action(async () => {
          await api('DELETE', '/bans/' + encodeURIComponent(ban.id));
          notify('Ban lifted.');
          await loadBans();
        }),
      );
      cell(row, '').appendChild(unban);
      els.bans.appendChild(row);
    }
    if (bans.length === 0) {
      const empty = document.createElement('tr');
      cell(empty, 'No bans are running.').colSpan = 6;
      els.bans.appendChild(empty);
    }
  }
  $('bans-refresh').addEventListener('click', action(loadBans));

  // ---- audit log -----------------------------------------------------------------------------

  async function loadAudit(fromStart) {
    if (fromStart) auditCursor = null;
    const query = new window.URLSearchParams({ limit: String(PAGE_SIZE) });
    if (auditCursor) query.set('cursor', auditCursor);
    const { entries, nextCursor } = await api('GET', '/audit?' + query);
    if (fromStart) els.audit.textContent = '';
    for (const entry of entries) {
      const line = document.createElement('li');
      line.className = 'audit-entry';
      line.textContent =
        when(entry.at) +
        ' · ' +
        entry.actor +
        ' · ' +
        entry.action +
        ' · ' +
        entry.target +
        (entry.reason ? ' · ' + entry.reason : '');
      els.audit.appendChild(line);
    }
    auditCursor = nextCursor;
    els.auditMore.hidden = !nextCursor;
  }
  $('audit-refresh').addEventListener(
    'click',
    action(() => loadAudit(true)),
  );
  els.auditMore.addEventListener(
    'click',
    action(() => loadAudit(false)),
  );

  // ---- start ---------------------------------------------------------------------------------

  const signedIn = Boolean(storage.getItem(TOKEN_KEY));
  showConsole(signedIn);
  if (signedIn) action(() => loadReports(true))();
})();
