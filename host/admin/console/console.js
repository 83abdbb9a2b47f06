// The Hyperion admin console: one page over the admin API (docs/console.md).
// Plain JavaScript, no framework and no build step: the files are compiled
// into the host as they are (decision 0021). Every value the API returns is
// put into the page as text (textContent), never as markup.

const ROLES = ['viewer', 'operator', 'admin'];
const POLL_MS = 2000;
const HISTORY_MS = 5 * 60 * 1000;
const MAX_EVENTS = 500;

const state = {
  who: null, // {name, role, csrf}
  status: null,
  plugins: [],
  health: null,
  revisions: [],
  events: [],
  series: new Map(), // chart title -> [[t, value]]
  counters: new Map(), // metric key -> [t, value] (for rates)
  stream: null,
  timer: null,
  selected: null,
  instancesShown: '', // what the graph and table show now (renderInstances)
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function allowed(role) {
  return state.who !== null && ROLES.indexOf(state.who.role) >= ROLES.indexOf(role);
}

// Every call goes with the session cookie; a call that changes state also
// carries the CSRF token the sign-in gave (the API refuses it otherwise).
async function api(method, path, { body, type = 'application/json', headers = {} } = {}) {
  const h = { ...headers };
  if (method !== 'GET' && state.who && state.who.csrf) h['X-CSRF-Token'] = state.who.csrf;
  if (body !== undefined) h['Content-Type'] = type;
  const res = await fetch(path, { method, headers: h, body, credentials: 'same-origin', cache: 'no-store' });
  let data = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { text };
  }
  if (res.status === 401 && path !== '/v1/session') showSignIn('Your session ended; sign in again.');
  return { status: res.status, data };
}

function reason(data) {
  return (data && data.error && data.error.reason) || (data && data.text) || 'no answer';
}

// ---- signing in and out ----------------------------------------------------

function showSignIn(message) {
  state.who = null;
  if (state.stream) state.stream.close();
  state.stream = null;
  clearInterval(state.timer);
  // Nothing of the last session stays on the page for the next one.
  for (const id of ['notice', 'action-result', 'manifest-errors', 'events-body']) $(id).replaceChildren();
  for (const id of ['diff', 'instance-detail']) $(id).hidden = true;
  state.events = [];
  state.selected = null;
  state.instancesShown = '';
  delete $('manifest-edit').dataset.touched;
  $('console').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  const r = await api('POST', '/v1/session', { body: JSON.stringify({ token }) });
  $('token').value = '';
  if (r.status !== 200) {
    $('sign-in-error').textContent = r.status === 401 ? 'That token is not known here.' : reason(r.data);
    return;
  }
  state.who = r.data;
  await enter();
}

async function signOut() {
  await api('DELETE', '/v1/session');
  showSignIn('Signed out.');
}

async function enter() {
  $('sign-in').hidden = true;
  $('console').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = state.who.name;
  $('who-role').textContent = state.who.role;
  // A viewer sees no action buttons (the API would refuse them with 403 anyway).
  for (const e of document.querySelectorAll('[data-needs]')) e.hidden = !allowed(e.dataset.needs);
  await refreshAll();
  openStream();
  state.timer = setInterval(poll, POLL_MS);
}

// ---- data ------------------------------------------------------------------

async function refreshAll() {
  await Promise.all([refreshStatus(), refreshHealth(), refreshRevisions(), refreshConfig(), sampleMetrics()]);
  renderInstances();
}

async function poll() {
  await Promise.all([refreshStatus(), refreshHealth(), sampleMetrics()]);
  renderInstances();
}

async function refreshStatus() {
  const [s, p] = await Promise.all([api('GET', '/v1/status'), api('GET', '/v1/plugins')]);
  if (s.status !== 200 || p.status !== 200) return;
  const moved = state.status && state.status.revision !== s.data.revision;
  state.status = s.data;
  state.plugins = p.data.plugins;
  $('app-name').textContent = s.data.app;
  $('phase').textContent = s.data.phase;
  $('phase').className = 'badge ' + s.data.phase;
  $('revision').textContent = String(s.data.revision);
  const select = $('swap-instance');
  const current = select.value;
  select.replaceChildren(...s.data.instances.map((i) => el('option', { value: i.name, text: i.name })));
  if (current) select.value = current;
  if (moved) await Promise.all([refreshRevisions(), refreshConfig()]);
}

async function refreshHealth() {
  const r = await api('GET', '/v1/health');
  if (r.status !== 200) return;
  state.health = r.data;
  $('aggregate').textContent = r.data.status;
  $('aggregate').className = 'badge ' + r.data.status;
  const rows = Object.entries(r.data.instances).map(([name, h]) =>
    el('tr', { 'data-instance': name },
      el('td', { text: name }),
      el('td', {}, el('span', { class: 'badge ' + h.status, text: h.status })),
      el('td', { text: h.duration_ms.toFixed(2) + ' ms' }),
      el('td', { text: h.message + (h.cause ? ' (' + h.cause + ')' : '') })));
  $('health-body').replaceChildren(...rows);
  for (const [name, h] of Object.entries(r.data.instances)) record('health check ' + name + ' (ms)', h.duration_ms);
}

async function refreshRevisions() {
  const r = await api('GET', '/v1/revisions?limit=50');
  if (r.status !== 200) return;
  state.revisions = r.data.revisions;
  const current = state.status ? state.status.revision : 0;
  const rows = state.revisions.map((rev) => {
    const actions = el('td');
    actions.append(el('button', { type: 'button', text: 'Diff', 'data-diff': rev.number, onclick: () => showDiff(rev.number) }));
    if (allowed('operator') && rev.number !== current) {
      const label = rev.outcome === 'applied' ? 'Roll back to #' + rev.number : 'Re-apply #' + rev.number;
      actions.append(' ', el('button', { type: 'button', text: label, 'data-rollback': rev.number, onclick: () => rollback(rev.number) }));
    }
    return el('tr', { 'data-revision': rev.number },
      el('td', { text: rev.number }),
      el('td', { text: rev.created_at }),
      el('td', { text: rev.source }),
      el('td', { text: rev.author }),
      el('td', {}, el('span', { class: 'badge ' + rev.outcome, text: rev.outcome })),
      actions);
  });
  $('revisions-body').replaceChildren(...rows);
  record('revisions', state.revisions.length ? state.revisions[0].number : 0);
}

async function refreshConfig() {
  const r = await api('GET', '/v1/config');
  if (r.status !== 200) return;
  $('manifest-text').textContent = r.data.manifest;
  const edit = $('manifest-edit');
  if (!edit.dataset.touched) edit.value = r.data.manifest;
  const blocks = Object.entries(r.data.instances).map(([name, config]) => {
    const sources = r.data.sources[name] || {};
    const list = Object.entries(sources).map(([ptr, src]) => el('li', { text: ptr + ' from ' + src }));
    return el('div', { class: 'effective', 'data-instance': name },
      el('h4', { text: name }),
      el('pre', { class: 'code', text: JSON.stringify(config, null, 2) }),
      list.length ? el('ul', {}, ...list) : el('p', { class: 'muted', text: 'every field from the manifest or a default' }));
  });
  $('effective').replaceChildren(...blocks);
}

// ---- instances: the graph and the table -------------------------------------

function healthOf(name) {
  const h = state.health && state.health.instances[name];
  return h ? h.status : 'unknown';
}

// Layers: an instance sits one below the deepest provider it depends on.
function layers(instances, edges) {
  const depth = new Map(instances.map((i) => [i.name, 0]));
  for (let round = 0; round < instances.length; round++) {
    let changed = false;
    for (const e of edges) {
      if (!depth.has(e.provider) || !depth.has(e.dependent)) continue;
      const d = depth.get(e.provider) + 1;
      if (d > depth.get(e.dependent)) {
        depth.set(e.dependent, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}

function renderGraph() {
  const g = $('graph');
  const { instances, edges } = state.status;
  const depth = layers(instances, edges);
  const rows = [];
  for (const i of instances) (rows[depth.get(i.name)] ||= []).push(i.name);
  // Wide enough for the longest label (about 7 px a character at 12 px).
  const longest = Math.max(...instances.map((i) => Math.max(i.name.length, `${i.plugin} ${i.version} · ${i.state}`.length)));
  const W = Math.max(150, longest * 7 + 24), H = 54, GAPX = 40, GAPY = 70;
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = widest * (W + GAPX) + GAPX;
  const height = rows.length * (H + GAPY) + GAPY / 2;
  const pos = new Map();
  rows.forEach((row, y) => {
    const offset = (width - row.length * (W + GAPX) + GAPX) / 2;
    row.forEach((name, x) => pos.set(name, { x: offset + x * (W + GAPX), y: GAPY / 2 + y * (H + GAPY) }));
  });
  g.setAttribute('viewBox', `0 0 ${width} ${height}`);
  g.setAttribute('width', width);
  g.setAttribute('height', height);
  const parts = [];
  for (const e of edges) {
    const a = pos.get(e.provider), b = pos.get(e.dependent);
    if (!a || !b) continue;
    const x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y;
    parts.push(svg('line', { class: 'edge', x1, y1, x2, y2, 'data-edge': e.provider + '->' + e.dependent, 'marker-end': 'url(#arrow)' }));
    parts.push(svg('text', { class: 'edge-label', x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2 }, e.reason));
  }
  for (const i of instances) {
    const p = pos.get(i.name);
    const health = healthOf(i.name);
    const node = svg('g', { class: 'node ' + health, tabindex: '0', role: 'button', 'data-instance': i.name,
      'data-health': health, 'aria-label': `${i.name}: ${i.plugin} ${i.version}, ${i.state}, ${health}`,
      transform: `translate(${p.x},${p.y})` });
    node.append(svg('rect', { width: W, height: H }));
    node.append(svg('text', { x: 10, y: 20, 'font-weight': 'bold' }, i.name));
    node.append(svg('text', { x: 10, y: 38 }, `${i.plugin} ${i.version} · ${i.state}`));
    node.addEventListener('click', () => selectInstance(i.name));
    node.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        selectInstance(i.name);
      }
    });
    parts.push(node);
  }
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8a94a6' }));
  defs.append(marker);
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.instance : null;
  g.replaceChildren(defs, ...parts);
  if (focused) {
    const again = g.querySelector(`[data-instance="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

// The last reload that touched an instance, as the health report says
// ({revision, outcome, action}), with the revision's time when it is listed.
function lastChange(name) {
  const last = state.health && state.health.reload && state.health.reload.instances[name];
  if (!last) return null;
  const rev = state.revisions.find((r) => r.number === last.revision);
  return { number: last.revision, action: last.action, outcome: last.outcome, at: rev ? rev.created_at : '' };
}

function pluginOf(name) {
  return state.plugins.find((p) => p.name === name) || {};
}

function selectInstance(name) {
  state.selected = name;
  renderDetail();
}

function renderDetail() {
  const box = $('instance-detail');
  const i = state.status && state.status.instances.find((x) => x.name === state.selected);
  if (!i) {
    box.hidden = true;
    return;
  }
  const p = pluginOf(i.name);
  const last = lastChange(i.name);
  const h = state.health && state.health.instances[i.name];
  const rows = [
    ['plugin', `${i.plugin} ${i.version}`], ['state', i.state], ['health', h ? `${h.status} ${h.message}` : 'unknown'],
    ['library', i.library], ['sha256', i.sha256], ['capabilities', (p.capabilities || []).join(', ')],
    ['provides', (p.provides || []).join(', ')], ['requires', (p.requires || []).map((r) => r.api + (r.optional ? ' (optional)' : '')).join(', ')],
    ['unload (swap)', (p.capabilities || []).includes('swap') ? 'yes' : 'no'],
    ['last reload', last ? `revision ${last.number}: ${last.action}, ${last.outcome} ${last.at}` : 'none since start'],
  ];
  if (i.last_swap && i.last_swap.old_library) rows.push(['last swap', `${i.last_swap.from} → ${i.last_swap.to}`]);
  box.replaceChildren(el('h3', { text: i.name }), el('table', { class: 'grid' },
    ...rows.map(([k, v]) => el('tr', {}, el('th', { text: k }), el('td', { class: k === 'sha256' ? 'hash' : '', text: v })))));
  box.hidden = false;
}

function renderInstances() {
  if (!state.status) return;
  // Drawn again only when something shown changed: a poll that finds the same
  // app leaves the page (and the keyboard focus in it) alone.
  const shown = JSON.stringify([state.status.instances, state.status.edges, state.plugins,
    state.status.instances.map((i) => [healthOf(i.name), lastChange(i.name)])]);
  if (shown === state.instancesShown) return renderDetail();
  state.instancesShown = shown;
  renderGraph();
  const rows = state.status.instances.map((i) => {
    const p = pluginOf(i.name);
    const last = lastChange(i.name);
    const health = healthOf(i.name);
    return el('tr', { 'data-instance': i.name },
      el('td', {}, el('a', { href: '#', text: i.name, onclick: (ev) => { ev.preventDefault(); selectInstance(i.name); } })),
      el('td', { text: i.plugin }),
      el('td', { text: i.version }),
      el('td', { text: i.state }),
      el('td', {}, el('span', { class: 'badge ' + health, text: health })),
      el('td', { text: (p.capabilities || []).includes('swap') ? 'yes' : 'no' }),
      el('td', { class: 'hash', text: i.sha256.slice(0, 16) + '…', title: i.sha256 }),
      el('td', { text: last ? '#' + last.number : '—' }));
  });
  $('instances-body').replaceChildren(...rows);
  renderDetail();
}

// ---- revisions: diffs and rollback -------------------------------------------

function changesTable(changes) {
  const show = (v) => (v === undefined ? '' : JSON.stringify(v));
  return el('table', { class: 'grid changes' },
    el('thead', {}, el('tr', {}, el('th', { text: 'field' }), el('th', { text: 'op' }), el('th', { text: 'old' }), el('th', { text: 'new' }), el('th', { text: '' }))),
    el('tbody', {}, ...changes.map((c) => el('tr', { 'data-path': c.path },
      el('td', { class: 'code', text: c.path }),
      el('td', { text: c.op }),
      el('td', { class: 'old', text: show(c.old) }),
      el('td', { class: 'new', text: show(c.new) }),
      el('td', { text: [c.dynamic ? 'live' : 'restart', c.secret ? 'secret' : ''].filter(Boolean).join(', ') })))));
}

async function showDiff(number) {
  const box = $('diff');
  const prev = state.revisions.find((r) => r.number < number);
  const compare = el('select', { id: 'diff-against', 'aria-label': 'Compare with revision' },
    el('option', { value: '', text: 'what it changed' }),
    ...state.revisions.filter((r) => r.number !== number).map((r) => el('option', { value: r.number, text: 'against #' + r.number })));
  const body = el('div', { id: 'diff-body' });
  box.replaceChildren(el('h3', { text: 'Revision #' + number }), el('label', {}, 'Show ', compare), body);
  box.hidden = false;
  const render = async () => {
    if (compare.value === '') {
      const d = await api('GET', '/v1/revisions/' + number);
      if (d.status !== 200) return body.replaceChildren(el('p', { class: 'error', text: reason(d.data) }));
      const parts = [];
      if (d.data.error) parts.push(el('p', { class: 'error', text: 'refused: ' + (d.data.error.reason || JSON.stringify(d.data.error)) }));
      if (!d.data.diff) parts.push(el('p', { class: 'muted', text: prev ? 'no changes recorded (a start)' : 'the first revision: the host started' }));
      for (const [name, entry] of Object.entries(d.data.diff || {})) {
        parts.push(el('h4', { text: `${name}: ${entry.action}` }));
        if (entry.changes && entry.changes.length) parts.push(changesTable(entry.changes));
      }
      body.replaceChildren(...parts);
    } else {
      const d = await api('GET', `/v1/revisions/${compare.value}/diff/${number}`);
      if (d.status !== 200) return body.replaceChildren(el('p', { class: 'error', text: reason(d.data) }));
      const parts = [];
      if (d.data.host.length) parts.push(el('h4', { text: 'app and host' }), changesTable(d.data.host));
      for (const [name, entry] of Object.entries(d.data.instances)) {
        parts.push(el('h4', { text: `${name}: ${entry.action}` + (entry.schema_known ? '' : ' (not running now: values redacted)') }));
        parts.push(changesTable(entry.changes));
      }
      if (!parts.length) parts.push(el('p', { class: 'muted', text: 'the same manifest' }));
      body.replaceChildren(...parts);
    }
  };
  compare.addEventListener('change', render);
  await render();
}

function confirmDialog(text) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('confirm-ok').focus();
  });
}

function showResult(ok, text) {
  const r = $('action-result');
  r.textContent = text;
  r.className = 'result' + (ok ? '' : ' bad');
  $('notice').textContent = text;
}

function outcomeText(r) {
  if (r.status === 200) return [true, `revision ${r.data.revision}: ${r.data.outcome}`];
  const e = (r.data && r.data.error) || {};
  return [false, `refused (${r.status}${e.code ? ' ' + e.code : ''}): ${e.reason || reason(r.data)}`];
}

async function rollback(number) {
  const current = state.status.revision;
  if (!(await confirmDialog(`Apply revision #${number}'s manifest as a new revision? Revision ${current} runs now.`))) return;
  // If-Match: refused (412) if another operator changed the app meanwhile.
  const r = await api('POST', `/v1/revisions/${number}/rollback`, { body: '', type: 'text/plain', headers: { 'If-Match': `"${current}"` } });
  showResult(...outcomeText(r));
  await refreshAll();
}

// ---- actions ---------------------------------------------------------------

async function reloadFromFile() {
  const r = await api('POST', '/v1/reload', { body: '', type: 'text/plain' });
  showResult(...outcomeText(r));
  await refreshAll();
}

// "file:12:3: plugins[1].config.greeting: ..." -> line 12.
function errorLines(text) {
  return text.split('\n').filter(Boolean).map((line) => {
    const m = line.match(/:(\d+):(\d+): /);
    return { line: m ? Number(m[1]) : null, text: line };
  });
}

function selectLine(textarea, line) {
  const lines = textarea.value.split('\n');
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
}

async function applyManifest() {
  const edit = $('manifest-edit');
  const list = $('manifest-errors');
  list.replaceChildren();
  const r = await api('POST', '/v1/reload', { body: edit.value, type: 'application/yaml', headers: { 'If-Match': `"${state.status.revision}"` } });
  const [ok, text] = outcomeText(r);
  showResult(ok, text);
  if (!ok) {
    const errors = errorLines(reason(r.data));
    list.replaceChildren(...errors.map((e) => el('li', { 'data-line': e.line ?? '' },
      e.line ? el('a', { href: '#', text: 'line ' + e.line, onclick: (ev) => { ev.preventDefault(); selectLine(edit, e.line); } }) : '',
      e.line ? ': ' : '', e.text)));
    return;
  }
  delete edit.dataset.touched;
  await refreshAll();
}

async function swap() {
  const instance = $('swap-instance').value;
  const library = $('swap-library').value.trim();
  if (!instance || !library) return showResult(false, 'name an instance and a library');
  if (!(await confirmDialog(`Swap ${instance}'s library for ${library}?`))) return;
  const r = await api('POST', `/v1/plugins/${encodeURIComponent(instance)}/swap`, { body: JSON.stringify({ library }) });
  showResult(...outcomeText(r));
  await refreshAll();
}

// ---- events ----------------------------------------------------------------

// A plugin's events come from hyperion://<app>/<instance>; the host's name the instance in their data.
function eventInstance(e) {
  if (e.data && typeof e.data === 'object' && (e.data.instance || e.data.name)) return e.data.instance || e.data.name;
  const source = e.source || '';
  return source.slice(source.lastIndexOf('/') + 1);
}

function renderEvents() {
  const type = $('filter-type').value.trim();
  const instance = $('filter-instance').value.trim();
  const shown = state.events.filter((e) => (!type || e.type.startsWith(type)) && (!instance || eventInstance(e) === instance));
  $('events-body').replaceChildren(...shown.slice(0, 200).map((e) => el('tr', { 'data-type': e.type },
    el('td', { text: e.time || '' }), el('td', { text: e.type }), el('td', { text: eventInstance(e) }),
    el('td', { class: 'code', text: JSON.stringify(e.data ?? null) }))));
}

function openStream() {
  // EventSource sends the session cookie (same origin); no token in the URL.
  // typed=0: no "event:" field, so every event reaches onmessage.
  const stream = new EventSource('/v1/events?typed=0');
  state.stream = stream;
  $('live').textContent = 'connecting…';
  stream.onopen = () => { $('live').textContent = 'live'; };
  stream.onerror = () => { $('live').textContent = 'reconnecting…'; };
  stream.onmessage = (m) => onEvent(m.data);
}

let refreshQueued = false;
function onEvent(text) {
  let e;
  try {
    e = JSON.parse(text);
  } catch {
    return;
  }
  state.events.unshift(e);
  if (state.events.length > MAX_EVENTS) state.events.length = MAX_EVENTS;
  renderEvents();
  // A reload, swap or readiness change: the views follow at once.
  if (/^dev\.hyperion\.(reload|plugin|host)/.test(e.type) && !refreshQueued) {
    refreshQueued = true;
    setTimeout(async () => {
      refreshQueued = false;
      await refreshAll();
    }, 50);
  }
}

// ---- metrics ---------------------------------------------------------------

function record(title, value) {
  const now = Date.now();
  const points = state.series.get(title) || [];
  points.push([now, value]);
  while (points.length && points[0][0] < now - HISTORY_MS) points.shift();
  state.series.set(title, points);
}

// Prometheus text: "name{labels} value"; counters become rates per second.
async function sampleMetrics() {
  const r = await fetch('/v1/metrics', { credentials: 'same-origin', cache: 'no-store' });
  if (r.status !== 200) return renderCharts();
  const text = await r.text();
  const now = Date.now();
  const sums = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/);
    if (!m) continue;
    const name = m[1];
    if (!name.endsWith('_total')) continue;  // counters: requests, calls, reloads
    sums.set(name, (sums.get(name) || 0) + Number(m[3]));
  }
  for (const [name, value] of sums) {
    const before = state.counters.get(name);
    state.counters.set(name, [now, value]);
    if (before && now > before[0]) record(name + ' (per s)', Math.max(0, (value - before[1]) / ((now - before[0]) / 1000)));
  }
  renderCharts();
}

function renderCharts() {
  const charts = [...state.series.entries()].filter(([, pts]) => pts.length > 0)
    .sort(([a], [b]) => a.localeCompare(b)).slice(0, 12);
  $('charts').replaceChildren(...charts.map(([title, pts]) => {
    const max = Math.max(1e-9, ...pts.map((p) => p[1]));
    const t0 = Date.now() - HISTORY_MS;
    const coords = pts.map(([t, v]) => `${((t - t0) / HISTORY_MS * 300).toFixed(1)},${(110 - v / max * 100).toFixed(1)}`).join(' ');
    const chart = svg('svg', { viewBox: '0 0 300 120', role: 'img', 'aria-label': title });
    chart.append(svg('polyline', { points: coords }));
    const last = pts[pts.length - 1][1];
    return el('figure', { class: 'chart', 'data-series': title },
      el('h3', { text: `${title}: ${Number.isInteger(last) ? last : last.toFixed(3)} (max ${max.toPrecision(3)})` }), chart);
  }));
}

// ---- tabs and start -----------------------------------------------------------

function selectTab(tab) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
}

function wireTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab));
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
    tab.addEventListener('keydown', (ev) => {
      const visible = tabs.filter((t) => !t.hidden);
      const i = visible.indexOf(tab);
      let next = null;
      if (ev.key === 'ArrowRight') next = visible[(i + 1) % visible.length];
      if (ev.key === 'ArrowLeft') next = visible[(i - 1 + visible.length) % visible.length];
      if (next) {
        ev.preventDefault();
        selectTab(next);
        next.focus();
      }
    });
  }
  selectTab(tabs[0]);
}

async function start() {
  wireTabs();
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('reload-file').addEventListener('click', reloadFromFile);
  $('apply-manifest').addEventListener('click', applyManifest);
  $('swap').addEventListener('click', swap);
  $('manifest-edit').addEventListener('input', (ev) => { ev.target.dataset.touched = '1'; });
  $('filter-type').addEventListener('input', renderEvents);
  $('filter-instance').addEventListener('input', renderEvents);
  // Already signed in (the cookie survived a reload of the page)?
  const me = await api('GET', '/v1/session');
  if (me.status === 200 && me.data.via === 'session') {
    state.who = me.data;
    await enter();
  } else {
    showSignIn('');
  }
}

start();
