// Originals web page: verify an original, browse certificates, partners and the council's proposals. Plain JavaScript
// over the JSON API, served locally with no framework; consortium.js adds the signed actions (apply, propose, vote,
// execute) through the visitor's own browser wallet. Files are hashed in the browser (WebCrypto SHA-256): nothing is uploaded unless
// the user asks for it.
'use strict';

const $ = (selector, root = document) => root.querySelector(selector);
const view = () => $('#view');
const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const TYPES = ['SME', 'ENTERPRISE', 'PUBLIC_ADMINISTRATION', 'UNIVERSITY', 'RESEARCH_INSTITUTE', 'NGO', 'ASSOCIATION', 'MINISTRY'];
const STATUSES = ['APPLIED', 'ACTIVE', 'SUSPENDED', 'EXPELLED', 'LEFT'];
const PROPOSAL_STATUSES = ['open', 'passed', 'failed', 'expired'];
const KINDS = ['ADMIT', 'SUSPEND', 'REINSTATE', 'EXPEL', 'GRANT_RIGHTS', 'WITHDRAW_RIGHTS', 'CHANGE_DETAILS', 'SET_COMPROMISED', 'REVOKE_CERTIFICATE', 'LIFT_CERTIFICATE_SUSPENSION'];

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
const ACRONYMS = new Set(['SME', 'NGO', 'VALID', 'INVALID', 'SKIPPED']);
function human(name) {
  const text = String(name || '');
  if (ACRONYMS.has(text)) return text;
  return text.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
const EVENTS = { PartnerRegistered: 'Registered', PartnerStatusChanged: 'Status changed', PartnerRightsChanged: 'Rights changed', PartnerCompromised: 'Key compromise declared' };
function when(unix) { return unix ? new Date(unix * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—'; }

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `HTTP ${response.status}`);
  if ('indexed_block' in body) showFreshness(body.indexed_block, body.indexed_block_time);
  return body;
}

// Every page says which block its answers are indexed to (and, where the answer has it, that block's chain time).
function showFreshness(block, blockTime) {
  if (block === null || block === undefined) return;
  $('#freshness').textContent = `Indexed to block ${block}${blockTime ? ` (chain time ${when(blockTime)})` : ''}`;
}

// For pages whose own answers do not say it (the verify page before a lookup): a one-row list that does.
async function freshness() {
  if ($('#freshness').textContent) return;
  try {
    const body = await (await fetch('/partners?limit=1')).json();
    if (!$('#freshness').textContent) showFreshness(body.indexed_block, null);
  } catch (e) { /* the page's own answers say it, or nothing does */ }
}

async function sha256(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return '0x' + Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// -- verify ---------------------------------------------------------------------------------------------------------

function verifyPage() {
  document.title = 'Originals — verify an original';
  view().innerHTML = `
    <h1>Is it an original?</h1>
    <p class="muted">Drop the original's file or its certificate document. Files are hashed here, in your browser;
      only the fingerprint is looked up.</p>
    <div class="drop" id="drop" tabindex="0" role="button" aria-describedby="drop-help">
      <strong>Drop a file here</strong> or press Enter to choose one
      <div id="drop-help" class="muted">an original (any file) or a certificate document (.originals.json)</div>
    </div>
    <input type="file" id="file" hidden>
    <div class="row noprint">
      <label>Fingerprint or certificate id<input type="text" id="lookup" placeholder="0x…" autocomplete="off" spellcheck="false"></label>
      <label class="narrow">Answer from<select id="source"><option value="index">the index (fast)</option><option value="chain">the chain (trustless)</option></select></label>
      <button id="go">Verify</button>
    </div>
    <label class="muted"><input type="checkbox" id="upload"> upload the file to the server instead of hashing it here</label>
    <section id="result" aria-live="polite"></section>`;
  const drop = $('#drop');
  const input = $('#file');
  drop.addEventListener('click', () => input.click());
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) verifyFile(e.dataTransfer.files[0]); });
  input.addEventListener('change', () => { if (input.files[0]) verifyFile(input.files[0]); });
  $('#go').addEventListener('click', () => verifyText($('#lookup').value.trim()));
  $('#lookup').addEventListener('keydown', (e) => { if (e.key === 'Enter') verifyText($('#lookup').value.trim()); });
}

function source() { return $('#source') ? $('#source').value : 'index'; }

async function verifyFile(file) {
  const result = $('#result');
  result.innerHTML = `<p class="muted">Checking ${esc(file.name)}…</p>`;
  try {
    const byPdf = await verifyPdfCertificate(file);
    if (byPdf) return showResults(file.name, [byPdf], byPdf.verdict);
    if (/\.json$/i.test(file.name)) {
      let document_ = null;
      try { document_ = JSON.parse(await file.text()); } catch (e) { document_ = null; }
      if (document_ && String(document_.version || '').startsWith('originals/wrapped/')) {
        const answer = await api(`/verify/document?source=${source()}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document_),
        });
        return showResults(file.name, [answer], answer.verdict);
      }
    }
    let answer;
    if ($('#upload') && $('#upload').checked) {
      const form = new FormData();
      form.append('file', file);
      answer = await api(`/verify/file?source=${source()}`, { method: 'POST', body: form });
    } else {
      answer = await api(`/verify/fingerprint/${await sha256(file)}?source=${source()}`);
    }
    showResults(file.name, answer.results, answer.verdict, answer.fingerprint);
  } catch (error) {
    result.innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

// A PDF certificate carries its document (certificate.originals.json): the server reads it out and verifies it as a
// dropped document. Only such a PDF is sent; any other PDF is an original like any file, hashed in the browser.
async function verifyPdfCertificate(file) {
  if (!/\.pdf$/i.test(file.name)) return null;
  if (!new TextDecoder('latin1').decode(await file.arrayBuffer()).includes('(certificate.originals.json)')) return null;
  const form = new FormData();
  form.append('file', file);
  return api(`/verify/pdf?source=${source()}`, { method: 'POST', body: form });
}

async function verifyText(text) {
  const result = $('#result');
  if (!HEX32.test(text)) {
    result.innerHTML = '<p class="verdict INVALID" role="alert">Enter 0x followed by 64 hex digits.</p>';
    return;
  }
  try {
    const byId = await api(`/verify/certificate/${text}?source=${source()}`);
    if (byId.verdict !== 'NOT_FOUND') return showResults(text, [byId], byId.verdict);
    const byFingerprint = await api(`/verify/fingerprint/${text}?source=${source()}`);
    showResults(text, byFingerprint.results, byFingerprint.verdict, text);
  } catch (error) {
    result.innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

async function showResults(label, results, verdict, fingerprint) {
  const result = $('#result');
  if (!results.length) {
    result.innerHTML = `<p class="verdict NOT_FOUND" id="verdict">NOT FOUND</p>
      <p>No certificate names this original${fingerprint ? ` (fingerprint <code>${esc(fingerprint)}</code>)` : ''}.</p>`;
    return;
  }
  const parts = [`<p class="verdict ${esc(verdict)}" id="verdict">${esc(verdict.replace(/_/g, ' '))}</p>`];
  for (const r of results) parts.push(await resultCard(r));
  result.innerHTML = parts.join('');
}

async function resultCard(r) {
  const identity = r.checks.find((c) => c.name === 'ISSUER_IDENTITY');
  const d = identity ? identity.details || {} : {};
  const cert = r.certificate;
  let history = '';
  if (cert) {
    try {
      const detail = await api(`/certificates/${cert.id}`);
      history = historyTable(detail.history.filter((h) => !h.leaf || h.leaf === cert.leaf));
    } catch (e) { history = ''; }
  }
  return `<div class="card">
    <p><strong>${esc(r.verdict.replace(/_/g, ' '))}</strong>
      ${d.name ? `— issued by <strong class="issuer">${esc(d.name)}</strong> (${esc(human(d.type))}, ${esc(d.domain)}; now ${esc(human(d.status))})` : ''}</p>
    <table><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead><tbody>
      ${r.checks.map((c) => `<tr><td>${esc(human(c.name))}</td><td class="status-${esc(c.status)}">${esc(c.status)}</td><td>${esc(c.reason)}</td></tr>`).join('')}
    </tbody></table>
    ${cert ? `<p class="muted">Certificate <a href="/c/${esc(cert.leaf === cert.root ? cert.id : cert.leaf)}"><code>${esc(cert.leaf === cert.root ? cert.id : cert.leaf)}</code></a>, issued ${esc(when(cert.issued_at))}${cert.valid_until ? `, valid until ${esc(when(cert.valid_until))}` : ''}.</p>` : ''}
    ${history}
  </div>`;
}

function historyTable(rows) {
  if (!rows.length) return '';
  return `<h2>History</h2><table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Reason</th><th scope="col">By</th></tr></thead><tbody>
    ${rows.map((h) => `<tr><td>${esc(when(h.at))}</td><td>${esc(human(h.action))}${h.leaf ? ' (this document)' : ''}</td><td>${h.reason === null ? '' : esc(REASONS[h.reason] || `code ${h.reason}`)}</td><td><code>${esc(h.actor)}</code></td></tr>`).join('')}
  </tbody></table>`;
}

const REASONS = ['unspecified', 'key compromise', 'superseded by a new certificate', 'issued in error', 'original destroyed', 'fraud', 'under investigation', 'original lost', 'original stolen', 'issuer ceased operation', 'privilege withdrawn'];

// -- certificate page -----------------------------------------------------------------------------------------------

async function certificatePage(id) {
  document.title = 'Originals — certificate';
  view().innerHTML = '<p class="muted">Loading…</p>';
  try {
    const r = await api(`/verify/certificate/${id}`);
    const link = `${location.origin}/c/${id}`;
    view().innerHTML = `<div class="card">
      <img class="qr" src="/qr/${esc(id)}.svg" alt="QR code linking to this certificate's verification page">
      <h1>Certificate of an original</h1>
      <p class="mono">${esc(id)}</p>
      <p>Verify at <a href="${esc(link)}">${esc(link)}</a></p>
      <div id="cert-result"></div>
      <p class="noprint"><button class="secondary" id="print">Print / save as PDF</button></p></div>`;
    $('#print').addEventListener('click', () => window.print()); // no inline handler: the CSP refuses them
    $('#cert-result').innerHTML = `<p class="verdict ${esc(r.verdict)}" id="verdict">${esc(r.verdict.replace(/_/g, ' '))}</p>` + await resultCard(r);
  } catch (error) {
    view().innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

// -- partners -------------------------------------------------------------------------------------------------------

async function partnersPage() {
  document.title = 'Originals — partners';
  const params = new URLSearchParams(location.search);
  const options = (list, selected) => ['<option value="">any</option>', ...list.map((v) => `<option value="${v}"${v === selected ? ' selected' : ''}>${esc(human(v))}</option>`)].join('');
  view().innerHTML = `<h1>Consortium partners</h1>
    <form class="row noprint" id="filters">
      <label>Organisation type<select name="type">${options(TYPES, params.get('type'))}</select></label>
      <label>Status<select name="status">${options(STATUSES, params.get('status'))}</select></label>
      <button type="submit">Filter</button>
    </form><div id="list" aria-live="polite"></div>`;
  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const query = new URLSearchParams([...form].filter(([, v]) => v));
    history.pushState({}, '', `/directory${query.toString() ? '?' + query : ''}`);
    partnersPage();
  });
  const query = new URLSearchParams([...params].filter(([k, v]) => ['type', 'status'].includes(k) && v));
  try {
    const page = await api(`/partners?limit=500&${query}`);
    $('#list').innerHTML = page.data.length ? `<table><thead><tr><th scope="col">Partner</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Rights</th><th scope="col">Domain</th></tr></thead><tbody>
      ${page.data.map((p) => `<tr><td><a href="/p/${esc(p.address)}">${esc(p.display_name)}</a></td><td>${esc(human(p.org_type))}</td><td>${esc(human(p.status))}</td><td>${esc(p.rights.map(human).join(', ') || '—')}</td><td>${esc(p.domain)}</td></tr>`).join('')}
    </tbody></table>` : '<p>No partner matches.</p>';
  } catch (error) {
    $('#list').innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

async function partnerPage(address) {
  document.title = 'Originals — partner';
  try {
    const [p, certs, governance] = await Promise.all([
      api(`/partners/${address}`), api(`/certificates?issuer=${address}&limit=50`), api(`/partners/${address}/governance`),
    ]);
    view().innerHTML = `<h1>${esc(p.display_name)}</h1>
      <p>${esc(human(p.org_type))} · <a href="https://${esc(p.domain)}" rel="noopener">${esc(p.domain)}</a> · ${esc(human(p.status))}
        · rights: ${esc(p.rights.map(human).join(', ') || 'none')}${p.compromised_after ? ` · <strong>key compromised after ${esc(when(p.compromised_after))}</strong>` : ''}</p>
      <p class="mono">${esc(p.address)}</p>
      ${p.status === 'APPLIED' ? `<p class="noprint">Council members: <a href="/council/propose?kind=ADMIT&amp;subject=${esc(p.address)}" id="propose-admission">propose admitting ${esc(p.display_name)}</a>.</p>` : ''}
      <h2>History</h2><table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Rights</th></tr></thead><tbody>
        ${p.history.map((h) => `<tr><td>${esc(when(h.at))}</td><td>${esc(EVENTS[h.event] || h.event)}</td><td>${esc(human(h.status))}</td><td>${esc(h.rights.map(human).join(', ') || '—')}</td></tr>`).join('')}
      </tbody></table>
      <h2>Certificates issued (${p.certificates_issued})</h2>${certificatesTable(certs.data)}
      <section id="governance">${governanceHistory(governance)}</section>`;
  } catch (error) {
    view().innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

function certificatesTable(rows) {
  if (!rows.length) return '<p>None yet.</p>';
  return `<table><thead><tr><th scope="col">Certificate</th><th scope="col">Issued</th><th scope="col">Status</th><th scope="col">Kind</th></tr></thead><tbody>
    ${rows.map((c) => `<tr><td><a href="/c/${esc(c.id)}"><code>${esc(c.id.slice(0, 18))}…</code></a></td><td>${esc(when(c.issued_at))}</td><td>${esc(human(c.status))}</td><td>${esc(human(c.mode))}</td></tr>`).join('')}
  </tbody></table>`;
}

async function certificatesPage() {
  document.title = 'Originals — certificates';
  try {
    const page = await api('/certificates?limit=100');
    view().innerHTML = `<h1>Latest certificates</h1>${certificatesTable(page.data)}`;
  } catch (error) {
    view().innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

// -- council proposals ----------------------------------------------------------------------------------------------
// Pages for anyone: the list (filters by status and kind, keyset pages) and one proposal with its votes, the majority
// needed and a countdown to its deadline. Each part is a function of an API answer, so more can be added beside it.

const PROPOSALS = '/council/proposals';
let ticker = null;

function stopTicking() {
  if (ticker !== null) clearInterval(ticker);
  ticker = null;
}

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'min'], [s % 60, 's']];
  const first = parts.findIndex(([n]) => n > 0);
  return first < 0 ? '0 s' : parts.slice(first).map(([n, unit]) => `${n} ${unit}`).join(' ');
}

function party(address, name) {
  return `<a href="/p/${esc(address)}">${name ? esc(name) : `<code>${esc(address)}</code>`}</a>`;
}

function statusBadge(status) {
  return `<span class="badge ${esc(status)}">${esc(status)}</span>`;
}

function proposalLink(p) {
  return `<a href="${PROPOSALS}/${esc(p.proposal_id)}">${esc(p.summary)}</a>`;
}

function proposalsTable(rows, empty = 'No proposal matches.') {
  if (!rows.length) return `<p>${esc(empty)}</p>`;
  return `<table class="proposals"><thead><tr><th scope="col">#</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">Proposed by</th><th scope="col">Deadline</th><th scope="col">Votes</th></tr></thead><tbody>
    ${rows.map(proposalRow).join('')}
  </tbody></table>`;
}

function proposalRow(p) {
  return `<tr><td>${esc(p.proposal_id)}</td><td>${proposalLink(p)}</td><td>${statusBadge(p.status)}</td><td>${party(p.proposer, p.proposer_name)}</td><td>${esc(when(p.deadline))}</td><td>${esc(p.yes_votes)} yes · ${esc(p.no_votes)} no</td></tr>`;
}

async function proposalsPage() {
  document.title = 'Originals — council proposals';
  const params = new URLSearchParams(location.search);
  const options = (list, selected) => ['<option value="">any</option>', ...list.map((v) => `<option value="${v}"${v === selected ? ' selected' : ''}>${esc(human(v))}</option>`)].join('');
  const query = new URLSearchParams([...params].filter(([k, v]) => ['status', 'kind'].includes(k) && v));
  view().innerHTML = `<h1>Council proposals</h1>
    <p class="muted">What the consortium's council was asked to decide: open proposals can still be voted on until their
      deadline; passed ones were carried out; failed ones were voted down; expired ones lapsed without a majority.
      <a href="/proposals.atom${query.toString() ? '?' + esc(query) : ''}">Follow them as an Atom feed</a>.
      Council members can <a href="/council/propose" id="propose-link">propose a decision</a>.</p>
    <form class="row noprint" id="filters">
      <label>Status<select name="status">${options(PROPOSAL_STATUSES, params.get('status'))}</select></label>
      <label>Kind<select name="kind">${options(KINDS, params.get('kind'))}</select></label>
      <button type="submit">Filter</button>
    </form><div id="list" aria-live="polite"></div><p class="noprint"><button class="secondary" id="more" hidden>More proposals</button></p>`;
  $('#filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = new URLSearchParams([...new FormData(e.target)].filter(([, v]) => v));
    history.pushState({}, '', `${PROPOSALS}${chosen.toString() ? '?' + chosen : ''}`);
    route();
  });
  const rows = [];
  const load = async (cursor) => {
    const page = await api(`/proposals?limit=100&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...page.data);
    $('#list').innerHTML = proposalsTable(rows);
    const more = $('#more');
    more.hidden = !page.next_cursor;
    more.onclick = () => load(page.next_cursor).catch(showListError);
  };
  await load(null).catch(showListError);
}

function showListError(error) {
  $('#list').innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
}

function subjectOf(p) {
  if (p.kind === 'REVOKE_CERTIFICATE' || p.kind === 'LIFT_CERTIFICATE_SUSPENSION') {
    return `certificate <a href="/c/${esc(p.target)}"><code>${esc(p.target)}</code></a>${p.leaf ? ` (document <code>${esc(p.leaf)}</code>)` : ''}`;
  }
  return party(p.subject, p.subject_name);
}

function tallyText(p) {
  const larger = p.required_now !== p.majority_at_proposal
    ? ` (the council had ${p.council_at_proposal} members when it was proposed: the larger council counts)` : '';
  return `${p.required_now} yes votes of the active council (${p.active_council_now} members now)${larger}`;
}

function executableText(p) {
  if (p.status !== 'open') return p.executed ? `Carried out${p.executed_at ? ` on ${when(p.executed_at)}` : ''} by ${party(p.executed_by, null)}, with ${esc(p.counted_votes)} of ${esc(p.required)} votes needed.` : 'No: it is no longer open.';
  if (p.executable_now) return `<strong>Yes</strong>: ${esc(p.counted_yes_now)} counted yes votes reach the ${esc(p.required_now)} needed.`;
  return `Not yet: ${esc(p.counted_yes_now)} counted yes vote${p.counted_yes_now === 1 ? '' : 's'} of the ${esc(p.required_now)} needed.`;
}

function votesTable(votes) {
  if (!votes.length) return '<p>No votes yet.</p>';
  return `<table id="votes"><thead><tr><th scope="col">Council member</th><th scope="col">Vote</th><th scope="col">Counts now</th><th scope="col">Block</th></tr></thead><tbody>
    ${votes.map((v) => `<tr><td>${party(v.voter, v.voter_name)}</td><td class="vote-${v.support ? 'yes' : 'no'}">${v.support ? 'yes' : 'no'}</td><td>${v.counted_now ? 'yes' : 'no (no longer active council)'}</td><td>${esc(v.block_number)}${v.at ? ` · ${esc(when(v.at))}` : ''}</td></tr>`).join('')}
  </tbody></table>`;
}

function proposalView(p) {
  return `<h1>Proposal ${esc(p.proposal_id)} ${statusBadge(p.status)}</h1>
    <p class="summary" id="summary">${esc(p.summary)}</p>
    <dl class="facts">
      <dt>Kind</dt><dd>${esc(human(p.kind))}</dd>
      <dt>Concerning</dt><dd>${subjectOf(p)}</dd>
      <dt>Proposed by</dt><dd>${party(p.proposer, p.proposer_name)}${p.created_at ? ` on ${esc(when(p.created_at))}` : ''}</dd>
      <dt>Deadline</dt><dd>${esc(when(p.deadline))}${p.status === 'open' ? ` · <span id="countdown">${esc(duration(p.seconds_left))} left</span>` : ''}</dd>
      <dt>Majority needed</dt><dd id="majority">${esc(tallyText(p))}</dd>
      <dt>Votes</dt><dd>${esc(p.yes_votes)} yes, ${esc(p.no_votes)} no; ${esc(p.counted_yes_now)} yes counted now</dd>
      <dt>Can it be executed now?</dt><dd id="executable">${executableText(p)}</dd>
    </dl>
    <h2>Votes so far</h2>${votesTable(p.votes)}`;
}

// The countdown runs from the seconds left at the indexed block's chain time; at zero the page asks for a reload.
function startCountdown(secondsLeft) {
  stopTicking();
  const started = Date.now();
  ticker = setInterval(() => {
    const left = secondsLeft - (Date.now() - started) / 1000;
    const element = $('#countdown');
    if (!element) return stopTicking();
    element.textContent = left > 0 ? `${duration(left)} left` : 'deadline reached: reload for the outcome';
    if (left <= 0) stopTicking();
  }, 1000);
}

async function proposalPage(id, notice) {
  document.title = `Originals — proposal ${id}`;
  if (!notice) view().innerHTML = '<p class="muted">Loading…</p>';
  try {
    const p = await api(`/proposals/${id}`);
    view().innerHTML = proposalView(p) + '<section id="actions" class="noprint"></section>';
    if (p.status === 'open') startCountdown(p.seconds_left);
    wallet.watcher = () => proposalActions(p);
    await proposalActions(p, notice);
  } catch (error) {
    view().innerHTML = `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`;
  }
}

function applicationsTable(rows, empty = 'None.') {
  if (!rows.length) return `<p>${esc(empty)}</p>`;
  return `<table class="applications"><thead><tr><th scope="col">Block</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Domain</th></tr></thead><tbody>
    ${rows.map((a) => `<tr><td>${esc(a.block_number)}</td><td>${esc(a.display_name)}</td><td>${esc(human(a.org_type))}</td><td>${esc(a.domain)}</td></tr>`).join('')}
  </tbody></table>`;
}

function governanceHistory(g) {
  const votes = g.votes_cast.length
    ? `<table><thead><tr><th scope="col">Proposal</th><th scope="col">Vote</th><th scope="col">Outcome</th><th scope="col">Block</th></tr></thead><tbody>
      ${g.votes_cast.map((v) => `<tr><td>${proposalLink(v.proposal)}</td><td class="vote-${v.support ? 'yes' : 'no'}">${v.support ? 'yes' : 'no'}</td><td>${statusBadge(v.proposal.status)}</td><td>${esc(v.block_number)}</td></tr>`).join('')}
    </tbody></table>` : '<p>None.</p>';
  const details = `<table><thead><tr><th scope="col">Block</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Domain</th><th scope="col">By</th></tr></thead><tbody>
      ${g.details_history.map((d) => `<tr><td>${esc(d.block_number)}</td><td>${esc(d.display_name)}</td><td>${esc(human(d.org_type))}</td><td>${esc(d.domain)}</td><td>${d.proposal_id ? `<a href="${PROPOSALS}/${esc(d.proposal_id)}">council decision ${esc(d.proposal_id)}</a>` : 'registration'}</td></tr>`).join('')}
    </tbody></table>`;
  return `<h2>Governance history</h2>
    <h3>Applications</h3>${applicationsTable(g.applications, 'None (a founding partner).')}
    <h3>Proposals about this partner</h3><div id="proposals-about">${proposalsTable(g.proposals_about, 'None.')}</div>
    <h3>Proposals it made</h3>${proposalsTable(g.proposals_made, 'None.')}
    <h3>Votes it cast</h3><div id="votes-cast">${votes}</div>
    <h3>Details</h3>${details}`;
}

// -- routing --------------------------------------------------------------------------------------------------------

function route() {
  stopTicking();
  wallet.watcher = null;
  freshness();
  const path = location.pathname;
  let match;
  if (path === PROPOSALS) return proposalsPage();
  if (path === '/council/propose') return proposePage();
  if (path === '/apply') return applyPage();
  if ((match = path.match(/^\/council\/proposals\/([1-9][0-9]*)$/))) return proposalPage(match[1]);
  if ((match = path.match(/^\/c\/(0x[0-9a-fA-F]{64})$/))) return certificatePage(match[1]);
  if ((match = path.match(/^\/p\/(0x[0-9a-fA-F]{40})$/))) return partnerPage(match[1]);
  if (path === '/directory') return partnersPage();
  if (path === '/browse') return certificatesPage();
  if (path === '/console' && window.consolePage) return window.consolePage();
  return verifyPage();
}

window.addEventListener('popstate', route);
document.addEventListener('DOMContentLoaded', route);
