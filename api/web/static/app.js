// Originals web page: verify an original, browse certificates and partners. Plain JavaScript over the JSON API,
// served locally with no framework. Files are hashed in the browser (WebCrypto SHA-256): nothing is uploaded unless
// the user asks for it.
'use strict';

const $ = (selector, root = document) => root.querySelector(selector);
const view = () => $('#view');
const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const TYPES = ['SME', 'ENTERPRISE', 'PUBLIC_ADMINISTRATION', 'UNIVERSITY', 'RESEARCH_INSTITUTE', 'NGO', 'ASSOCIATION', 'MINISTRY'];
const STATUSES = ['APPLIED', 'ACTIVE', 'SUSPENDED', 'EXPELLED', 'LEFT'];

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
  if ('indexed_block' in body && body.indexed_block !== null) $('#freshness').textContent = `Index at block ${body.indexed_block}`;
  return body;
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
      <p class="noprint"><button class="secondary" onclick="window.print()">Print / save as PDF</button></p></div>`;
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
    const p = await api(`/partners/${address}`);
    const certs = await api(`/certificates?issuer=${address}&limit=50`);
    view().innerHTML = `<h1>${esc(p.display_name)}</h1>
      <p>${esc(human(p.org_type))} · <a href="https://${esc(p.domain)}" rel="noopener">${esc(p.domain)}</a> · ${esc(human(p.status))}
        · rights: ${esc(p.rights.map(human).join(', ') || 'none')}${p.compromised_after ? ` · <strong>key compromised after ${esc(when(p.compromised_after))}</strong>` : ''}</p>
      <p class="mono">${esc(p.address)}</p>
      <h2>History</h2><table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Rights</th></tr></thead><tbody>
        ${p.history.map((h) => `<tr><td>${esc(when(h.at))}</td><td>${esc(EVENTS[h.event] || h.event)}</td><td>${esc(human(h.status))}</td><td>${esc(h.rights.map(human).join(', ') || '—')}</td></tr>`).join('')}
      </tbody></table>
      <h2>Certificates issued (${p.certificates_issued})</h2>${certificatesTable(certs.data)}`;
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

// -- routing --------------------------------------------------------------------------------------------------------

function route() {
  const path = location.pathname;
  let match;
  if ((match = path.match(/^\/c\/(0x[0-9a-fA-F]{64})$/))) return certificatePage(match[1]);
  if ((match = path.match(/^\/p\/(0x[0-9a-fA-F]{40})$/))) return partnerPage(match[1]);
  if (path === '/directory') return partnersPage();
  if (path === '/browse') return certificatesPage();
  return verifyPage();
}

window.addEventListener('popstate', route);
document.addEventListener('DOMContentLoaded', route);
