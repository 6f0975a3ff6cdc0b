// The console's page: the cases (the main view), one case with its timeline and ring, the queue of
// flagged payments (polled every two seconds for new decisions) and one payment.
// Everything read from the engine is placed with textContent, never as markup.
import uPlot from '/uplot/uPlot.esm.js';

let csrf = null;
let last = 0;
let items = [];

const $ = (id) => document.getElementById(id);

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text == null ? '' : String(text);
  if (cls) td.className = cls;
  return td;
}

async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function post(url, fields) {
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf || '' },
    body: new URLSearchParams(fields),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function filters() {
  const params = new URLSearchParams();
  for (const [name, id] of [['tier', 'f-tier'], ['rule', 'f-rule'], ['model', 'f-model'], ['from', 'f-from'], ['to', 'f-to'], ['q', 'f-q']]) {
    if ($(id).value) params.set(name, $(id).value);
  }
  return params;
}

async function refreshQueue(full) {
  const params = filters();
  if (!full) params.set('after', last);
  try {
    const queue = await getJson('/api/queue?' + params);
    items = full ? queue.items : queue.items.concat(items).slice(0, 500);
    last = queue.last;
    const h = queue.lastHour, d = queue.lastDay, p = queue.precision;
    $('counts').textContent = `last hour: ${h.CHALLENGE} CHALLENGE, ${h.BLOCK} BLOCK · last day: ${d.CHALLENGE} CHALLENGE, ${d.BLOCK} BLOCK`
      + ` · precision of labelled BLOCKs: ${p.BLOCK == null ? '–' : p.BLOCK.toFixed(2)}`;
    $('queue-status').textContent = `${queue.held} decisions held` + (queue.unreadable ? `, ${queue.unreadable} unreadable records skipped` : '');
    const body = $('queue').tBodies[0];
    body.replaceChildren();
    for (const item of items) {
      const row = body.insertRow();
      row.dataset.payment = item.paymentId;
      cell(row, item.timestamp); cell(row, item.tier, item.tier); cell(row, item.score.toFixed(3));
      cell(row, item.paymentId); cell(row, item.user); cell(row, `${item.amount.toFixed(2)} ${item.currency || ''}`);
      cell(row, item.merchant); cell(row, item.reason); cell(row, item.label);
      row.addEventListener('click', () => { location.hash = 'payment=' + encodeURIComponent(item.paymentId); });
    }
  } catch (e) {
    $('queue-status').textContent = 'cannot read the queue: ' + e.message;
  }
}

async function refreshBlocks() {
  const blocks = await getJson('/api/blocks');
  const body = $('blocks').tBodies[0];
  body.replaceChildren();
  for (const block of blocks) {
    const row = body.insertRow();
    cell(row, block.entity); cell(row, block.blockedAt); cell(row, block.expiresAt); cell(row, block.reason);
    const button = document.createElement('button');
    button.textContent = 'Lift';
    button.addEventListener('click', () => act('/api/unblock', { entity: block.entity }, $('queue-status')).then(refreshBlocks));
    row.insertCell().append(button);
  }
}

const charts = {};

function chart(id, title, series, data) {
  if (charts[id]) {
    charts[id].setData(data);
    return;
  }
  const options = {
    title, width: 440, height: 200,
    series: [{}].concat(series.map(([label, stroke]) => ({ label, stroke, width: 1.5 }))),
    axes: [{}, { size: 60 }],
  };
  charts[id] = new uPlot(options, data, $(id));
}

const share = (value) => (value == null ? '–' : value.toFixed(2));

async function refreshHealth() {
  let h;
  try {
    h = await getJson('/api/health');
  } catch (e) {
    $('health-summary').textContent = 'cannot read health: ' + e.message;
    return;
  }
  chart('chart-tiers', 'decisions per minute', [['ALLOW', '#6b8e23'], ['CHALLENGE', '#a15c00'], ['BLOCK', '#b00020']],
    [h.minutes, h.ALLOW, h.CHALLENGE, h.BLOCK]);
  chart('chart-latency', 'time in the engine, µs', [['p50', '#1f77b4'], ['p99', '#d62728']], [h.minutes, h.p50Micros, h.p99Micros]);
  chart('chart-dead', 'dead letters per minute', [['dead letters', '#7f7f7f']], [h.minutes, h.deadLetters]);
  chart('chart-live', 'live precision and recall', [['precision CHALLENGE', '#a15c00'], ['precision BLOCK', '#b00020'],
    ['recall CHALLENGE+', '#e6a23c'], ['recall BLOCK', '#f08080']],
  [h.minutes, h.precisionChallenge, h.precisionBlock, h.recallChallenge, h.recallBlock]);
  const models = h.models.map((m) => `${m.version} (${m.decisions} decisions, last ${m.lastDecidedAt})`).join('; ');
  $('health-summary').textContent = `live precision CHALLENGE ${share(h.live.precision.CHALLENGE)}, BLOCK ${share(h.live.precision.BLOCK)}`
    + ` · live recall CHALLENGE or stricter ${share(h.live.recall.CHALLENGE)}, BLOCK ${share(h.live.recall.BLOCK)}`
    + ` · dead letters read ${h.deadLettersRead} · models in service: ${models || 'none seen yet'}`;
}

// Drift of each model given to the console: its most drifted features, its score then and now, its calibration.
async function refreshDrift() {
  const panel = $('drift');
  let answer;
  try {
    answer = await getJson('/api/drift');
  } catch (e) {
    panel.textContent = 'cannot read drift: ' + e.message;
    return;
  }
  panel.replaceChildren();
  if (!answer.models.length) {
    panel.textContent = 'no model given to the console keeps its training data (--model with a bundle of format 4)';
    return;
  }
  const table = (caption, head, rows) => {
    const t = document.createElement('table');
    t.createCaption().textContent = caption;
    const h = t.createTHead().insertRow();
    for (const name of head) { const th = document.createElement('th'); th.textContent = name; h.append(th); }
    const body = t.createTBody();
    for (const values of rows) { const row = body.insertRow(); values.forEach((v) => cell(row, v)); }
    panel.append(t);
  };
  const number = (v, digits) => (v == null ? '–' : v.toFixed(digits));
  for (const m of answer.models) {
    const p = document.createElement('p');
    p.textContent = m.scorePsi == null
      ? `model ${m.version}: ${m.payments} decisions in the last day, drift is measured from ${m.minimumPayments}`
      : `model ${m.version}: ${m.payments} decisions in the last day; score PSI ${m.scorePsi.toFixed(3)} (${m.scoreVerdict})`;
    panel.append(p);
    if (m.features) table('most drifted features (PSI: under 0.1 stable, 0.1-0.25 moving, over 0.25 shifted)',
      ['feature', 'PSI', ''], m.features.map((f) => [f.feature, f.psi.toFixed(3), f.verdict]));
    table('score: share of payments per bin, training (held-out window) and today', ['score up to', 'training', 'today'],
      m.scoreHistogram.map((b) => [b.upTo.toFixed(4), number(b.training, 3), number(b.today, 3)]));
    table('calibration: fraud rate per decile of the held-out scores, then and on the labels read', ['decile', 'scores', 'held-out', 'observed', 'labelled'],
      m.calibration.map((c) => [c.decile, `${c.from.toFixed(4)} – ${c.to.toFixed(4)}`, number(c.heldOutFraudRate, 4), number(c.observedFraudRate, 4), c.labelled]));
  }
}

async function act(url, fields, status) {
  try {
    const answer = await post(url, fields);
    status.textContent = JSON.stringify(answer);
    status.className = '';
  } catch (e) {
    status.textContent = e.message;
    status.className = 'error';
  }
}

async function showPayment(id) {
  $('queue-view').hidden = true;
  $('payment-view').hidden = false;
  let page;
  try {
    page = await getJson('/api/payment?id=' + encodeURIComponent(id));
  } catch (e) {
    $('p-title').textContent = e.message;
    return;
  }
  const d = page.decision;
  $('p-title').textContent = `${d.tier} · payment ${d.paymentId}`;
  $('p-title').className = d.tier;
  const facts = $('p-facts');
  facts.replaceChildren();
  const fact = (name, value) => {
    const dt = document.createElement('dt'); dt.textContent = name;
    const dd = document.createElement('dd'); dd.textContent = value == null ? '–' : String(value);
    facts.append(dt, dd);
  };
  fact('amount', `${d.amount.toFixed(2)} ${d.currency || ''}`); fact('time', d.timestamp); fact('user', d.user);
  fact('merchant', d.merchant); fact('device', d.device); fact('score', d.score.toFixed(6));
  fact('model alone', d.modelTier); fact('model', `${d.modelVersion} (${d.modelProvenance})`); fact('rules', d.rulesVersion);
  fact('block placed', page.placedBlock ? `${page.placedBlock.entity} until ${page.placedBlock.expiresAt}` : (d.placesBlock ? 'placed, since lifted or expired' : 'none'));
  fact('block met', d.activeBlock ? `${d.activeBlock.entity}: ${d.activeBlock.reason}` : 'none');
  fact('label', page.label);
  const reasons = $('p-reasons');
  reasons.replaceChildren(...d.reasons.map((reason) => { const li = document.createElement('li'); li.textContent = reason; return li; }));
  const r = page.rederived;
  $('p-rederived').textContent = r.status === 'UNAVAILABLE' ? 're-derivation unavailable: ' + r.why
    : `re-derived: ${r.tier}, score ${r.score.toFixed(6)}: ${r.status}` + (r.differences.length ? ' (' + r.differences.join('; ') + ')' : '');
  $('p-rederived').className = r.status;
  const rows = page.features.slice().sort((a, b) => Number(b.pushed) - Number(a.pushed));
  const body = $('p-features').tBodies[0];
  body.replaceChildren();
  for (const f of rows) {
    const row = body.insertRow();
    if (f.pushed) row.className = 'pushed';
    cell(row, f.name).title = f.description;
    cell(row, f.value.toFixed(3));
    cell(row, f.usual == null ? '–' : f.usual.toFixed(3));
    cell(row, f.pushed ? 'pushed the score' : '');
  }
  const status = $('p-action-status');
  status.textContent = '';
  $('mark-fraud').onclick = () => act('/api/label', { paymentId: d.paymentId, fraud: 'true' }, status);
  $('mark-legit').onclick = () => act('/api/label', { paymentId: d.paymentId, fraud: 'false' }, status);
  $('lift-block').onclick = () => act('/api/unblock', { entity: 'user:' + d.user }, status);
}


// Cases: the main view. The list is kept in the order shown, so that j and k move through it.
let cases = [];
let selected = 0;
let shownCase = null;

function age(since) {
  const seconds = Math.max(0, (Date.now() - Date.parse(since)) / 1000);
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

async function refreshCases() {
  try {
    const list = await getJson('/api/cases?status=' + encodeURIComponent($('c-status').value));
    cases = list.items;
    selected = Math.min(selected, Math.max(0, cases.length - 1));
    $('cases-status').textContent = `${list.active} open or investigating, ${list.total} cases in all`;
    const body = $('cases').tBodies[0];
    body.replaceChildren();
    cases.forEach((c, i) => {
      const row = body.insertRow();
      row.dataset.case = c.id;
      if (i === selected) row.className = 'selected';
      cell(row, c.status, c.status); cell(row, c.assignee || '–'); cell(row, age(c.openedAt));
      cell(row, c.worstTier, c.worstTier); cell(row, c.worstScore == null ? '–' : c.worstScore.toFixed(3));
      cell(row, c.payments); cell(row, c.user); cell(row, c.id);
      row.addEventListener('click', () => { location.hash = 'case=' + encodeURIComponent(c.id); });
    });
  } catch (e) {
    $('cases-status').textContent = 'cannot read the cases: ' + e.message;
  }
}

function select(index) {
  if (!cases.length) return;
  selected = Math.max(0, Math.min(cases.length - 1, index));
  const rows = $('cases').tBodies[0].rows;
  for (let i = 0; i < rows.length; i++) rows[i].className = i === selected ? 'selected' : '';
  if (rows[selected]) rows[selected].scrollIntoView({ block: 'nearest' });
}

async function changeCase(c, action, fields, status) {
  try {
    const answer = await post('/api/case/' + action, Object.assign({ id: c.id, version: c.version }, fields));
    status.textContent = `${answer.id}: ${answer.status}` + (answer.assignee ? `, assigned to ${answer.assignee}` : '')
      + (answer.labelled != null ? `, ${answer.labelled} payments labelled` : '');
    status.className = '';
    return answer;
  } catch (e) {
    status.textContent = e.message;
    status.className = 'error';
    return null;
  }
}

function ringPicture(ring, user) {
  const svg = $('c-ring');
  svg.replaceChildren();
  const ns = 'http://www.w3.org/2000/svg';
  const add = (name, attributes, text) => {
    const element = document.createElementNS(ns, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (text != null) element.textContent = text;
    svg.append(element);
    return element;
  };
  const at = {};
  ring.users.forEach((u, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, ring.users.length) - Math.PI / 2;
    at['user:' + u.user] = [260 + 150 * Math.cos(angle), 180 + 140 * Math.sin(angle)];
  });
  ring.tokens.forEach((t, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, ring.tokens.length) - Math.PI / 2;
    at[t.kind + ':' + t.token] = [260 + 60 * Math.cos(angle), 180 + 55 * Math.sin(angle)];
  });
  for (const edge of ring.edges) {
    const [a, b] = [at['user:' + edge.user], at[edge.token]];
    if (a && b) add('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: 'edge' });
  }
  for (const t of ring.tokens) {
    const [x, y] = at[t.kind + ':' + t.token];
    add('rect', { x: x - 5, y: y - 5, width: 10, height: 10, class: 'token' });
    add('title', {}, `${t.kind} ${t.token}`);
    add('text', { x: x + 7, y: y + 4, class: 'token-label' }, t.kind);
  }
  for (const u of ring.users) {
    const [x, y] = at['user:' + u.user];
    add('circle', { cx: x, cy: y, r: u.user === user ? 9 : 7, class: 'user ' + (u.fraudLabels ? 'fraud' : (u.worstTier || 'ALLOW')) });
    add('text', { x: x + 11, y: y + 4, class: 'user-label' }, u.user + (u.fraudLabels ? ' (fraud)' : ''));
  }
}

async function showCase(id) {
  for (const view of ['cases-view', 'queue-view', 'payment-view']) $(view).hidden = true;
  $('case-view').hidden = false;
  let c;
  try {
    c = await getJson('/api/case?id=' + encodeURIComponent(id));
  } catch (e) {
    $('c-title').textContent = e.message;
    return;
  }
  if (!shownCase || shownCase.id !== c.id) $('c-action-status').textContent = '';
  shownCase = c;
  const index = cases.findIndex((each) => each.id === c.id);
  if (index >= 0) selected = index;
  $('c-title').textContent = `case ${c.id} · ${c.status}`;
  $('c-title').className = c.status;
  const facts = $('c-facts');
  facts.replaceChildren();
  const fact = (name, value) => {
    const dt = document.createElement('dt'); dt.textContent = name;
    const dd = document.createElement('dd'); dd.textContent = value == null ? '–' : String(value);
    facts.append(dt, dd);
  };
  fact('user', c.user); fact('status', c.status); fact('assignee', c.assignee); fact('opened', c.openedAt);
  fact('worst', c.worstTier + (c.worstScore == null ? '' : ` (score ${c.worstScore.toFixed(3)})`)); fact('payments', c.payments);
  fact('version', `${c.version}` + (c.updatedBy ? `, last changed by ${c.updatedBy}` : ''));
  if (c.paymentsNotHeld.length) fact('payments no longer held', c.paymentsNotHeld.join(', '));
  $('c-export-json').href = '/api/case/export?format=json&id=' + encodeURIComponent(c.id);
  $('c-export-csv').href = '/api/case/export?format=csv&id=' + encodeURIComponent(c.id);
  $('c-comments').replaceChildren(...c.comments.map((note) => {
    const li = document.createElement('li'); li.textContent = `${note.at} ${note.by}: ${note.text}`; return li;
  }));
  const decisions = $('c-decisions').tBodies[0];
  decisions.replaceChildren();
  for (const d of c.decisions) {
    const row = decisions.insertRow();
    cell(row, d.timestamp); cell(row, d.tier, d.tier); cell(row, d.score.toFixed(3)); cell(row, d.paymentId);
    cell(row, `${d.amount.toFixed(2)} ${d.currency || ''}`); cell(row, d.merchant); cell(row, d.reasons); cell(row, d.label);
    row.addEventListener('click', () => { location.hash = 'payment=' + encodeURIComponent(d.paymentId); });
  }
  const timeline = $('c-timeline').tBodies[0];
  timeline.replaceChildren();
  for (const event of c.timeline) {
    const row = timeline.insertRow();
    row.className = 'event-' + event.kind;
    cell(row, event.at); cell(row, event.kind, event.tier); cell(row, event.paymentId); cell(row, event.text); cell(row, event.moved.join('; '));
  }
  const ring = c.ring;
  $('c-ring-summary').textContent = ring.users.length > 1
    ? `${ring.users.length} users linked through ${ring.tokens.length} shared ${ring.tokens.length === 1 ? 'device, payee or IP address' : 'devices, payees or IP addresses'}; `
      + `${ring.confirmedFraudUsers} of them with payments labelled fraud`
    : 'no other user shares a device, payee or IP address with this user in what the console holds';
  ringPicture(ring, c.user);
  const ringUsers = $('c-ring-users').tBodies[0];
  ringUsers.replaceChildren();
  for (const u of ring.users) {
    const row = ringUsers.insertRow();
    cell(row, u.user); cell(row, u.worstTier, u.worstTier); cell(row, u.fraudLabels);
  }
  const status = $('c-action-status');
  $('c-assign').onclick = () => changeCase(c, 'assign', {}, status).then((done) => done && showCase(c.id));
  $('c-fraud').onclick = () => changeCase(c, 'close', { outcome: 'fraud' }, status).then((done) => done && showCase(c.id));
  $('c-legit').onclick = () => changeCase(c, 'close', { outcome: 'legitimate' }, status).then((done) => done && showCase(c.id));
  $('c-comment-form').onsubmit = (event) => {
    event.preventDefault();
    changeCase(c, 'comment', { text: $('c-comment').value }, status).then((done) => {
      if (done) { $('c-comment').value = ''; showCase(c.id); }
    });
  };
}

function onKey(event) {
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName) || event.ctrlKey || event.metaKey || event.altKey) return;
  const inCase = !$('case-view').hidden;
  const inList = !$('cases-view').hidden;
  if (!inCase && !inList) return;
  const target = inCase ? shownCase : cases[selected];
  const go = (index) => {
    select(index);
    if (inCase && cases[selected]) location.hash = 'case=' + encodeURIComponent(cases[selected].id);
  };
  const status = inCase ? $('c-action-status') : $('cases-status');
  const after = (done) => { if (done) { if (inCase) showCase(target.id); else refreshCases(); } };
  switch (event.key) {
    case 'j': go(selected + 1); break;
    case 'k': go(selected - 1); break;
    case 'Enter': if (inList && target) location.hash = 'case=' + encodeURIComponent(target.id); break;
    case 'Escape': location.hash = ''; break;
    case 'a': if (target) changeCase(target, 'assign', {}, status).then(after); break;
    case 'f': if (target) changeCase(target, 'close', { outcome: 'fraud' }, status).then(after); break;
    case 'l': if (target) changeCase(target, 'close', { outcome: 'legitimate' }, status).then(after); break;
    default: return;
  }
  event.preventDefault();
}

function route() {
  const payment = location.hash.match(/^#payment=(.+)$/);
  const caseId = location.hash.match(/^#case=(.+)$/);
  for (const view of ['cases-view', 'case-view', 'queue-view', 'payment-view']) $(view).hidden = true;
  if (payment) {
    showPayment(decodeURIComponent(payment[1]));
  } else if (caseId) {
    showCase(decodeURIComponent(caseId[1]));
  } else if (location.hash === '#payments') {
    $('queue-view').hidden = false;
    refreshQueue(true);
    refreshBlocks();
    refreshHealth();
    refreshDrift();
  } else {
    $('cases-view').hidden = false;
    refreshCases();
  }
}

async function signIn(event) {
  event.preventDefault();
  const response = await fetch('/login', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: $('token').value }),
  });
  const body = await response.json();
  $('token').value = '';
  showSession(response.ok ? body : { error: body.error });
}

function showSession(session) {
  csrf = session.csrf || null;
  $('operator').textContent = session.operator ? 'signed in as ' + session.operator : (session.error || '');
  $('signin').hidden = Boolean(session.operator);
}

$('signin').addEventListener('submit', signIn);
$('filters').addEventListener('submit', (event) => { event.preventDefault(); refreshQueue(true); });
$('case-filters').addEventListener('submit', (event) => { event.preventDefault(); selected = 0; refreshCases(); });
document.addEventListener('keydown', onKey);
window.addEventListener('hashchange', route);
getJson('/api/session').then(showSession);
route();
setInterval(() => { if (!$('queue-view').hidden) refreshQueue(false); }, 2000);
setInterval(() => { if (!$('queue-view').hidden) { refreshHealth(); refreshDrift(); } }, 10000);
setInterval(() => { if (!$('cases-view').hidden) refreshCases(); }, 3000);
