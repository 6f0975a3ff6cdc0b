// The console's page: the queue (polled every two seconds for new decisions) and one payment.
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

function route() {
  const match = location.hash.match(/^#payment=(.+)$/);
  if (match) {
    showPayment(decodeURIComponent(match[1]));
  } else {
    $('payment-view').hidden = true;
    $('queue-view').hidden = false;
    refreshQueue(true);
    refreshBlocks();
    refreshHealth();
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
window.addEventListener('hashchange', route);
getJson('/api/session').then(showSession);
route();
setInterval(() => { if (!$('queue-view').hidden) refreshQueue(false); }, 2000);
setInterval(() => { if (!$('queue-view').hidden) refreshHealth(); }, 10000);
