// Originals web page: verify an original, browse certificates, partners and the council's proposals. Plain JavaScript
// over the JSON API, served locally with no framework; consortium.js adds the signed actions (apply, propose, vote,
// execute) through the visitor's own browser wallet. Files are hashed in the browser (WebCrypto SHA-256): nothing is uploaded unless
// the user asks for it. Every text is in the page's language through i18n.js (t, tn, formatWhen, formatNumber), which
// is loaded first; the API answers codes (verdicts, statuses, kinds, types), which the tables below turn into words.
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
// A translated text with HTML in its placeholders: the text is escaped, the values (already HTML) are put in as they
// are: html(t(TEXT), { issuer: '<strong>…</strong>' }) for a TEXT with {issuer} in it.
function html(text, values) {
  return esc(text).replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
function human(name) {
  const text = String(name || '');
  return text.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
const when = (unix) => formatWhen(unix);

// -- the API's codes in words -----------------------------------------------------------------------------------------
// One table per kind of code (the same code can need other words: a VALID verdict is "Echt", a VALID check "In
// Ordnung"). A code missing from its table (a new one from a newer server) is shown from its name, as before.

const VERDICTS = {
  VALID: t('VALID'), NOT_FOUND: t('NOT FOUND'), TAMPERED: t('TAMPERED'), REVOKED: t('REVOKED'), SUSPENDED: t('SUSPENDED'),
  EXPIRED: t('EXPIRED'), ISSUER_COMPROMISED: t('ISSUER COMPROMISED'), INVALID: t('INVALID'),
};
const CHECK_STATUSES = { VALID: t('OK'), INVALID: t('Failed'), SKIPPED: t('Skipped') };
const CHECKS = {
  DOCUMENT_INTEGRITY: t('Document integrity'), ISSUANCE_STATUS: t('Issuance status'), ISSUER_IDENTITY: t('Issuer identity'),
  ISSUER_STANDING_AT_ISSUANCE: t('Issuer standing at issuance'),
};
const TYPE_NAMES = {
  SME: t('SME'), ENTERPRISE: t('Enterprise'), PUBLIC_ADMINISTRATION: t('Public administration'), UNIVERSITY: t('University'),
  RESEARCH_INSTITUTE: t('Research institute'), NGO: t('NGO'), ASSOCIATION: t('Association'), MINISTRY: t('Ministry'),
};
const STATUS_NAMES = {
  NONE: t('Not registered'), APPLIED: t('Applied'), ACTIVE: t('Active'), SUSPENDED: t('Suspended'), EXPELLED: t('Expelled'), LEFT: t('Left'),
};
const CERTIFICATE_STATUSES = { VALID: t('Valid'), SUSPENDED: t('Suspended'), REVOKED: t('Revoked') };
const MODES = { single: t('Single'), batch: t('Batch'), batch_public: t('Batch (public)') };
const ACTIONS = { issued: t('Issued'), revoked: t('Revoked'), suspended: t('Suspended'), reinstated: t('Reinstated') };
const RIGHT_NAMES = { ISSUER: t('Issuer'), COUNCIL: t('Council') };
const KIND_NAMES = {
  ADMIT: t('Admit'), SUSPEND: t('Suspend'), REINSTATE: t('Reinstate'), EXPEL: t('Expel'), GRANT_RIGHTS: t('Grant rights'),
  WITHDRAW_RIGHTS: t('Withdraw rights'), CHANGE_DETAILS: t('Change details'), SET_COMPROMISED: t('Set compromised'),
  REVOKE_CERTIFICATE: t('Revoke certificate'), LIFT_CERTIFICATE_SUSPENSION: t('Lift certificate suspension'),
};
const PROPOSAL_STATUS_NAMES = { open: t('open'), passed: t('passed'), failed: t('failed'), expired: t('expired') };
const EVENTS = {
  PartnerRegistered: t('Registered'), PartnerStatusChanged: t('Status changed'), PartnerRightsChanged: t('Rights changed'),
  PartnerDetailsChanged: t('Details changed'), PartnerCompromised: t('Key compromise declared'),
};
const REASONS = [
  t('unspecified'), t('key compromise'), t('superseded by a new certificate'), t('issued in error'), t('original destroyed'),
  t('fraud'), t('under investigation'), t('original lost'), t('original stolen'), t('issuer ceased operation'),
  t('privilege withdrawn'),
];
const named = (table, code) => table[code] || human(code);
const verdictWord = (code) => named(VERDICTS, code);
const rightsList = (rights, none = '—') => rights.map((r) => named(RIGHT_NAMES, r)).join(', ') || none;
const reasonText = (code) => REASONS[code] || t('reason code {code}', { code });
const yesNo = (yes) => (yes ? t('yes') : t('no'));

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || t('HTTP error {status}', { status: response.status }));
  if ('indexed_block' in body) showFreshness(body.indexed_block, body.indexed_block_time);
  return body;
}

// Every page says which block its answers are indexed to (and, where the answer has it, that block's chain time).
function showFreshness(block, blockTime) {
  if (block === null || block === undefined) return;
  $('#freshness').textContent = blockTime
    ? t('Indexed to block {block} (chain time {time})', { block, time: when(blockTime) })
    : t('Indexed to block {block}', { block });
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

function pageTitle(text) { document.title = `Originals — ${text}`; }

function failure(error) { return `<p class="verdict INVALID" role="alert">${esc(error.message)}</p>`; }

// -- verify ---------------------------------------------------------------------------------------------------------

function verifyPage() {
  pageTitle(t('verify an original'));
  view().innerHTML = `
    <h1>${esc(t('Is it an original?'))}</h1>
    <p class="muted">${esc(t('Drop the original’s file or its certificate document. Files are hashed here, in your browser; only the fingerprint is looked up.'))}</p>
    <div class="drop" id="drop" tabindex="0" role="button" aria-describedby="drop-help">
      ${html(t('{strong}Drop a file here{end} or press Enter to choose one'), { strong: '<strong>', end: '</strong>' })}
      <div id="drop-help" class="muted">${esc(t('an original (any file) or a certificate document (.originals.json)'))}</div>
    </div>
    <input type="file" id="file" hidden>
    <div class="row noprint">
      <label>${esc(t('Fingerprint or certificate id'))}<input type="text" id="lookup" placeholder="0x…" autocomplete="off" spellcheck="false"></label>
      <label class="narrow">${esc(t('Answer from'))}<select id="source"><option value="index">${esc(t('the index (fast)'))}</option><option value="chain">${esc(t('the chain (trustless)'))}</option></select></label>
      <button id="go">${esc(t('Verify'))}</button>
    </div>
    <label class="muted"><input type="checkbox" id="upload"> ${esc(t('upload the file to the server instead of hashing it here'))}</label>
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
  result.innerHTML = `<p class="muted">${esc(t('Checking {name}…', { name: file.name }))}</p>`;
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
    showResults(file.name, answer.results, answer.verdict, answer.fingerprint, answer.provenance);
  } catch (error) {
    result.innerHTML = failure(error);
  }
}

// A PDF certificate carries its document (certificate.originals.json): the server reads it out and verifies it as a
// dropped document. Only such a PDF is sent; any other PDF is an original like any file, hashed in the browser. A PDF
// is known by its first bytes, not its name: a download saved without the .pdf ending is still the certificate.
async function verifyPdfCertificate(file) {
  const bytes = new TextDecoder('latin1').decode(await file.arrayBuffer());
  if (!bytes.startsWith('%PDF-') || !bytes.includes('(certificate.originals.json)')) return null;
  const form = new FormData();
  form.append('file', file);
  return api(`/verify/pdf?source=${source()}`, { method: 'POST', body: form });
}

async function verifyText(text) {
  const result = $('#result');
  if (!HEX32.test(text)) {
    result.innerHTML = `<p class="verdict INVALID" role="alert">${esc(t('Enter 0x followed by 64 hex digits.'))}</p>`;
    return;
  }
  try {
    const byId = await api(`/verify/certificate/${text}?source=${source()}`);
    if (byId.verdict !== 'NOT_FOUND') return showResults(text, [byId], byId.verdict);
    const byFingerprint = await api(`/verify/fingerprint/${text}?source=${source()}`);
    showResults(text, byFingerprint.results, byFingerprint.verdict, text, byFingerprint.provenance);
  } catch (error) {
    result.innerHTML = failure(error);
  }
}

// The verdict stays the certificate's; the originals registered under the fingerprint or linked to the certificate
// follow it: their lost/stolen banners right under the verdict, their provenance after the certificates.
async function showResults(label, results, verdict, fingerprint, provenance) {
  const result = $('#result');
  const originals = originalsOf(provenance, results);
  const banners = '<div id="banners"></div>';
  const sections = '<div id="originals"></div>';
  if (!results.length) {
    const none = fingerprint
      ? html(t('No certificate names this original (fingerprint {fingerprint}).'), { fingerprint: `<code>${esc(fingerprint)}</code>` })
      : esc(t('No certificate names this original.'));
    result.innerHTML = `<p class="verdict NOT_FOUND" id="verdict">${esc(verdictWord('NOT_FOUND'))}</p>${banners}<p>${none}</p>${sections}`;
  } else {
    const parts = [`<p class="verdict ${esc(verdict)}" id="verdict">${esc(verdictWord(verdict))}</p>`, banners];
    for (const r of results) parts.push(await resultCard(r));
    result.innerHTML = parts.join('') + sections;
  }
  await showProvenance($('#banners', result), $('#originals', result), originals);
}

// The verdict in a card: "Revoked (reason: issued in error)" when the history says why.
function verdictLine(verdict, history) {
  const changes = history.filter((h) => h.action !== 'issued' && h.action !== 'reinstated');
  const last = changes.length ? changes[changes.length - 1] : null;
  if ((verdict === 'REVOKED' || verdict === 'SUSPENDED') && last && last.reason !== null) {
    return t('{verdict} (reason: {reason})', { verdict: verdictWord(verdict), reason: reasonText(last.reason) });
  }
  return verdictWord(verdict);
}

async function resultCard(r) {
  const identity = r.checks.find((c) => c.name === 'ISSUER_IDENTITY');
  const d = identity ? identity.details || {} : {};
  const cert = r.certificate;
  let history = '';
  let rows = [];
  if (cert) {
    try {
      const detail = await api(`/certificates/${cert.id}`);
      rows = detail.history.filter((h) => !h.leaf || h.leaf === cert.leaf);
      history = historyTable(rows);
    } catch (e) { history = ''; }
  }
  const issuer = d.name ? ` — ${html(t('issued by {issuer} ({type}, {domain}; now {status})'), {
    issuer: `<strong class="issuer">${esc(d.name)}</strong>`, type: esc(named(TYPE_NAMES, d.type)), domain: esc(d.domain),
    status: esc(named(STATUS_NAMES, d.status)),
  })}` : '';
  const target = cert ? (cert.leaf === cert.root ? cert.id : cert.leaf) : '';
  const dates = cert ? (cert.valid_until
    ? t('issued {issued}, valid until {until}.', { issued: when(cert.issued_at), until: when(cert.valid_until) })
    : t('issued {issued}.', { issued: when(cert.issued_at) })) : '';
  return `<div class="card">
    <p><strong>${esc(verdictLine(r.verdict, rows))}</strong>${issuer}</p>
    <table><thead><tr><th scope="col">${esc(t('Check'))}</th><th scope="col">${esc(t('Result'))}</th><th scope="col">${esc(t('Reason'))}</th></tr></thead><tbody>
      ${r.checks.map((c) => `<tr><td>${esc(named(CHECKS, c.name))}</td><td class="status-${esc(c.status)}">${esc(named(CHECK_STATUSES, c.status))}</td><td>${esc(c.reason)}</td></tr>`).join('')}
    </tbody></table>
    ${cert ? `<p class="muted">${html(t('Certificate {link}, {dates}'), { link: `<a href="/c/${esc(target)}"><code>${esc(target)}</code></a>`, dates: esc(dates) })}</p>` : ''}
    ${history}
  </div>`;
}

function historyTable(rows) {
  if (!rows.length) return '';
  return `<h2>${esc(t('History'))}</h2><table><thead><tr><th scope="col">${esc(t('When'))}</th><th scope="col">${esc(t('What'))}</th><th scope="col">${esc(t('Reason'))}</th><th scope="col">${esc(t('By'))}</th></tr></thead><tbody>
    ${rows.map((h) => `<tr><td>${esc(when(h.at))}</td><td>${esc(h.leaf ? t('{action} (this document)', { action: named(ACTIONS, h.action) }) : named(ACTIONS, h.action))}</td><td>${h.reason === null ? '' : esc(reasonText(h.reason))}</td><td><code>${esc(h.actor)}</code></td></tr>`).join('')}
  </tbody></table>`;
}

// -- certificate page -----------------------------------------------------------------------------------------------

async function certificatePage(id) {
  pageTitle(t('certificate'));
  view().innerHTML = `<p class="muted">${esc(t('Loading…'))}</p>`;
  try {
    const r = await api(`/verify/certificate/${id}`);
    const link = `${location.origin}/c/${id}`;
    view().innerHTML = `<div class="card">
      <img class="qr" src="/qr/${esc(id)}.svg" alt="${esc(t('QR code linking to this certificate’s verification page'))}">
      <h1>${esc(t('Certificate of an original'))}</h1>
      <p class="mono">${esc(id)}</p>
      <p>${html(t('Verify at {link}'), { link: `<a href="${esc(link)}">${esc(link)}</a>` })}</p>
      <div id="cert-result"></div>
      <p class="noprint"><button class="secondary" id="print">${esc(t('Print / save as PDF'))}</button></p></div>`;
    $('#print').addEventListener('click', () => window.print()); // no inline handler: the CSP refuses them
    $('#cert-result').innerHTML = `<p class="verdict ${esc(r.verdict)}" id="verdict">${esc(verdictWord(r.verdict))}</p><div id="banners"></div>`
      + await resultCard(r) + '<div id="originals"></div>';
    await showProvenance($('#banners'), $('#originals'), originalsOf(r.provenance, []));
  } catch (error) {
    view().innerHTML = failure(error);
  }
}

// -- partners -------------------------------------------------------------------------------------------------------

function choices(list, table, selected) {
  return [`<option value="">${esc(t('any'))}</option>`, ...list.map((v) => `<option value="${v}"${v === selected ? ' selected' : ''}>${esc(named(table, v))}</option>`)].join('');
}

async function partnersPage() {
  pageTitle(t('partners'));
  const params = new URLSearchParams(location.search);
  view().innerHTML = `<h1>${esc(t('Consortium partners'))}</h1>
    <form class="row noprint" id="filters">
      <label>${esc(t('Organisation type'))}<select name="type">${choices(TYPES, TYPE_NAMES, params.get('type'))}</select></label>
      <label>${esc(t('Status'))}<select name="status">${choices(STATUSES, STATUS_NAMES, params.get('status'))}</select></label>
      <button type="submit">${esc(t('Filter'))}</button>
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
    $('#list').innerHTML = page.data.length ? `<table><thead><tr><th scope="col">${esc(t('Partner'))}</th><th scope="col">${esc(t('Type'))}</th><th scope="col">${esc(t('Status'))}</th><th scope="col">${esc(t('Rights'))}</th><th scope="col">${esc(t('Domain'))}</th></tr></thead><tbody>
      ${page.data.map((p) => `<tr><td><a href="/p/${esc(p.address)}">${esc(p.display_name)}</a></td><td>${esc(named(TYPE_NAMES, p.org_type))}</td><td>${esc(named(STATUS_NAMES, p.status))}</td><td>${esc(rightsList(p.rights))}</td><td>${esc(p.domain)}</td></tr>`).join('')}
    </tbody></table>` : `<p>${esc(t('No partner matches.'))}</p>`;
  } catch (error) {
    $('#list').innerHTML = failure(error);
  }
}

async function partnerPage(address) {
  pageTitle(t('partner'));
  try {
    const [p, certs, governance] = await Promise.all([
      api(`/partners/${address}`), api(`/certificates?issuer=${address}&limit=50`), api(`/partners/${address}/governance`),
    ]);
    const compromised = p.compromised_after
      ? ` · <strong>${esc(t('key compromised after {time}', { time: when(p.compromised_after) }))}</strong>` : '';
    view().innerHTML = `<h1>${esc(p.display_name)}</h1>
      <p>${esc(named(TYPE_NAMES, p.org_type))} · <a href="https://${esc(p.domain)}" rel="noopener">${esc(p.domain)}</a> · ${esc(named(STATUS_NAMES, p.status))}
        · ${esc(t('rights: {rights}', { rights: rightsList(p.rights, t('none')) }))}${compromised}</p>
      <p class="mono">${esc(p.address)}</p>
      ${p.status === 'APPLIED' ? `<p class="noprint">${html(t('Council members: {link}.'), { link: `<a href="/council/propose?kind=ADMIT&amp;subject=${esc(p.address)}" id="propose-admission">${esc(t('propose admitting {name}', { name: p.display_name }))}</a>` })}</p>` : ''}
      <h2>${esc(t('History'))}</h2><table><thead><tr><th scope="col">${esc(t('When'))}</th><th scope="col">${esc(t('Event'))}</th><th scope="col">${esc(t('Status'))}</th><th scope="col">${esc(t('Rights'))}</th></tr></thead><tbody>
        ${p.history.map((h) => `<tr><td>${esc(when(h.at))}</td><td>${esc(EVENTS[h.event] || h.event)}</td><td>${esc(named(STATUS_NAMES, h.status))}</td><td>${esc(rightsList(h.rights))}</td></tr>`).join('')}
      </tbody></table>
      <h2>${esc(t('Certificates issued ({count})', { count: formatNumber(p.certificates_issued) }))}</h2>${certificatesTable(certs.data)}
      <section id="governance">${governanceHistory(governance)}</section>`;
  } catch (error) {
    view().innerHTML = failure(error);
  }
}

function certificatesTable(rows) {
  if (!rows.length) return `<p>${esc(t('None yet.'))}</p>`;
  return `<table><thead><tr><th scope="col">${esc(t('Certificate'))}</th><th scope="col">${esc(t('Issued'))}</th><th scope="col">${esc(t('Status'))}</th><th scope="col">${esc(t('Kind'))}</th></tr></thead><tbody>
    ${rows.map((c) => `<tr><td><a href="/c/${esc(c.id)}"><code>${esc(c.id.slice(0, 18))}…</code></a></td><td>${esc(when(c.issued_at))}</td><td>${esc(named(CERTIFICATE_STATUSES, c.status))}</td><td>${esc(named(MODES, c.mode))}</td></tr>`).join('')}
  </tbody></table>`;
}

async function certificatesPage() {
  pageTitle(t('certificates'));
  try {
    const page = await api('/certificates?limit=100');
    view().innerHTML = `<h1>${esc(t('Latest certificates'))}</h1>${certificatesTable(page.data)}`;
  } catch (error) {
    view().innerHTML = failure(error);
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
  const parts = [[Math.floor(s / 86400), t('d')], [Math.floor(s / 3600) % 24, t('h')], [Math.floor(s / 60) % 60, t('min')], [s % 60, t('s')]];
  const first = parts.findIndex(([n]) => n > 0);
  return first < 0 ? `0 ${t('s')}` : parts.slice(first).map(([n, unit]) => `${n} ${unit}`).join(' ');
}

function party(address, name) {
  return `<a href="/p/${esc(address)}">${name ? esc(name) : `<code>${esc(address)}</code>`}</a>`;
}

function statusBadge(status) {
  return `<span class="badge ${esc(status)}">${esc(named(PROPOSAL_STATUS_NAMES, status))}</span>`;
}

function proposalLink(p) {
  return `<a href="${PROPOSALS}/${esc(p.proposal_id)}">${esc(p.summary)}</a>`;
}

function proposalsTable(rows, empty = t('No proposal matches.')) {
  if (!rows.length) return `<p>${esc(empty)}</p>`;
  return `<table class="proposals"><thead><tr><th scope="col">#</th><th scope="col">${esc(t('What'))}</th><th scope="col">${esc(t('Status'))}</th><th scope="col">${esc(t('Proposed by'))}</th><th scope="col">${esc(t('Deadline'))}</th><th scope="col">${esc(t('Votes'))}</th></tr></thead><tbody>
    ${rows.map(proposalRow).join('')}
  </tbody></table>`;
}

function proposalRow(p) {
  const votes = t('{yes} yes · {no} no', { yes: formatNumber(p.yes_votes), no: formatNumber(p.no_votes) });
  return `<tr><td>${esc(p.proposal_id)}</td><td>${proposalLink(p)}</td><td>${statusBadge(p.status)}</td><td>${party(p.proposer, p.proposer_name)}</td><td>${esc(when(p.deadline))}</td><td>${esc(votes)}</td></tr>`;
}

async function proposalsPage() {
  pageTitle(t('council proposals'));
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams([...params].filter(([k, v]) => ['status', 'kind'].includes(k) && v));
  const feed = `<a href="/proposals.atom${query.toString() ? '?' + esc(query) : ''}">${esc(t('Follow them as an Atom feed'))}</a>`;
  const propose = `<a href="/council/propose" id="propose-link">${esc(t('propose a decision'))}</a>`;
  view().innerHTML = `<h1>${esc(t('Council proposals'))}</h1>
    <p class="muted">${esc(t('What the consortium’s council was asked to decide: open proposals can still be voted on until their deadline; passed ones were carried out; failed ones were voted down; expired ones lapsed without a majority.'))}
      ${html(t('{feed}. Council members can {propose}.'), { feed, propose })}</p>
    <form class="row noprint" id="filters">
      <label>${esc(t('Status'))}<select name="status">${choices(PROPOSAL_STATUSES, PROPOSAL_STATUS_NAMES, params.get('status'))}</select></label>
      <label>${esc(t('Kind'))}<select name="kind">${choices(KINDS, KIND_NAMES, params.get('kind'))}</select></label>
      <button type="submit">${esc(t('Filter'))}</button>
    </form><div id="list" aria-live="polite"></div><p class="noprint"><button class="secondary" id="more" hidden>${esc(t('More proposals'))}</button></p>`;
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
  $('#list').innerHTML = failure(error);
}

function subjectOf(p) {
  if (p.kind === 'REVOKE_CERTIFICATE' || p.kind === 'LIFT_CERTIFICATE_SUSPENSION') {
    const certificate = `<a href="/c/${esc(p.target)}"><code>${esc(p.target)}</code></a>`;
    return p.leaf
      ? html(t('certificate {certificate} (document {leaf})'), { certificate, leaf: `<code>${esc(p.leaf)}</code>` })
      : html(t('certificate {certificate}'), { certificate });
  }
  return party(p.subject, p.subject_name);
}

function tallyText(p) {
  const values = { required: formatNumber(p.required_now), active: formatNumber(p.active_council_now), then: formatNumber(p.council_at_proposal) };
  if (p.required_now !== p.majority_at_proposal) {
    return t('{required} yes votes of the active council ({active} members now) (the council had {then} members when it was proposed: the larger council counts)', values);
  }
  return t('{required} yes votes of the active council ({active} members now)', values);
}

function executableText(p) {
  if (p.status !== 'open') {
    if (!p.executed) return esc(t('No: it is no longer open.'));
    const values = { by: party(p.executed_by, null), counted: esc(formatNumber(p.counted_votes)), required: esc(formatNumber(p.required)) };
    return p.executed_at
      ? html(t('Carried out on {time} by {by}, with {counted} of {required} votes needed.'), { ...values, time: esc(when(p.executed_at)) })
      : html(t('Carried out by {by}, with {counted} of {required} votes needed.'), values);
  }
  const values = { counted: formatNumber(p.counted_yes_now), required: formatNumber(p.required_now) };
  if (p.executable_now) return html(t('{yes}: {counted} counted yes votes reach the {required} needed.'), { yes: `<strong>${esc(t('Yes'))}</strong>`, counted: esc(values.counted), required: esc(values.required) });
  return esc(tn('Not yet: {counted} counted yes vote of the {required} needed.', 'Not yet: {counted} counted yes votes of the {required} needed.', p.counted_yes_now, values));
}

function votesTable(votes) {
  if (!votes.length) return `<p>${esc(t('No votes yet.'))}</p>`;
  return `<table id="votes"><thead><tr><th scope="col">${esc(t('Council member'))}</th><th scope="col">${esc(t('Vote'))}</th><th scope="col">${esc(t('Counts now'))}</th><th scope="col">${esc(t('Block'))}</th></tr></thead><tbody>
    ${votes.map((v) => `<tr><td>${party(v.voter, v.voter_name)}</td><td class="vote-${v.support ? 'yes' : 'no'}">${esc(yesNo(v.support))}</td><td>${esc(v.counted_now ? t('yes') : t('no (no longer active council)'))}</td><td>${esc(v.block_number)}${v.at ? ` · ${esc(when(v.at))}` : ''}</td></tr>`).join('')}
  </tbody></table>`;
}

function proposalView(p) {
  const proposed = p.created_at
    ? html(t('{proposer} on {time}'), { proposer: party(p.proposer, p.proposer_name), time: esc(when(p.created_at)) })
    : party(p.proposer, p.proposer_name);
  const votes = t('{yes} yes, {no} no; {counted} yes counted now', { yes: formatNumber(p.yes_votes), no: formatNumber(p.no_votes), counted: formatNumber(p.counted_yes_now) });
  return `<h1>${esc(t('Proposal {id}', { id: p.proposal_id }))} ${statusBadge(p.status)}</h1>
    <p class="summary" id="summary">${esc(p.summary)}</p>
    <dl class="facts">
      <dt>${esc(t('Kind'))}</dt><dd>${esc(named(KIND_NAMES, p.kind))}</dd>
      <dt>${esc(t('Concerning'))}</dt><dd>${subjectOf(p)}</dd>
      <dt>${esc(t('Proposed by'))}</dt><dd>${proposed}</dd>
      <dt>${esc(t('Deadline'))}</dt><dd>${esc(when(p.deadline))}${p.status === 'open' ? ` · <span id="countdown">${esc(t('{duration} left', { duration: duration(p.seconds_left) }))}</span>` : ''}</dd>
      <dt>${esc(t('Majority needed'))}</dt><dd id="majority">${esc(tallyText(p))}</dd>
      <dt>${esc(t('Votes'))}</dt><dd>${esc(votes)}</dd>
      <dt>${esc(t('Can it be executed now?'))}</dt><dd id="executable">${executableText(p)}</dd>
    </dl>
    <h2>${esc(t('Votes so far'))}</h2>${votesTable(p.votes)}`;
}

// The countdown runs from the seconds left at the indexed block's chain time; at zero the page asks for a reload.
function startCountdown(secondsLeft) {
  stopTicking();
  const started = Date.now();
  ticker = setInterval(() => {
    const left = secondsLeft - (Date.now() - started) / 1000;
    const element = $('#countdown');
    if (!element) return stopTicking();
    element.textContent = left > 0 ? t('{duration} left', { duration: duration(left) }) : t('deadline reached: reload for the outcome');
    if (left <= 0) stopTicking();
  }, 1000);
}

async function proposalPage(id, notice) {
  pageTitle(t('proposal {id}', { id }));
  if (!notice) view().innerHTML = `<p class="muted">${esc(t('Loading…'))}</p>`;
  try {
    const p = await api(`/proposals/${id}`);
    view().innerHTML = proposalView(p) + '<section id="actions" class="noprint"></section>';
    if (p.status === 'open') startCountdown(p.seconds_left);
    wallet.watcher = () => proposalActions(p);
    await proposalActions(p, notice);
  } catch (error) {
    view().innerHTML = failure(error);
  }
}

function applicationsTable(rows, empty = t('None.')) {
  if (!rows.length) return `<p>${esc(empty)}</p>`;
  return `<table class="applications"><thead><tr><th scope="col">${esc(t('Block'))}</th><th scope="col">${esc(t('Name'))}</th><th scope="col">${esc(t('Type'))}</th><th scope="col">${esc(t('Domain'))}</th></tr></thead><tbody>
    ${rows.map((a) => `<tr><td>${esc(a.block_number)}</td><td>${esc(a.display_name)}</td><td>${esc(named(TYPE_NAMES, a.org_type))}</td><td>${esc(a.domain)}</td></tr>`).join('')}
  </tbody></table>`;
}

function governanceHistory(g) {
  const votes = g.votes_cast.length
    ? `<table><thead><tr><th scope="col">${esc(t('Proposal'))}</th><th scope="col">${esc(t('Vote'))}</th><th scope="col">${esc(t('Outcome'))}</th><th scope="col">${esc(t('Block'))}</th></tr></thead><tbody>
      ${g.votes_cast.map((v) => `<tr><td>${proposalLink(v.proposal)}</td><td class="vote-${v.support ? 'yes' : 'no'}">${esc(yesNo(v.support))}</td><td>${statusBadge(v.proposal.status)}</td><td>${esc(v.block_number)}</td></tr>`).join('')}
    </tbody></table>` : `<p>${esc(t('None.'))}</p>`;
  const details = `<table><thead><tr><th scope="col">${esc(t('Block'))}</th><th scope="col">${esc(t('Name'))}</th><th scope="col">${esc(t('Type'))}</th><th scope="col">${esc(t('Domain'))}</th><th scope="col">${esc(t('By'))}</th></tr></thead><tbody>
      ${g.details_history.map((d) => `<tr><td>${esc(d.block_number)}</td><td>${esc(d.display_name)}</td><td>${esc(named(TYPE_NAMES, d.org_type))}</td><td>${esc(d.domain)}</td><td>${d.proposal_id ? `<a href="${PROPOSALS}/${esc(d.proposal_id)}">${esc(t('council decision {id}', { id: d.proposal_id }))}</a>` : esc(t('registration'))}</td></tr>`).join('')}
    </tbody></table>`;
  return `<h2>${esc(t('Governance history'))}</h2>
    <h3>${esc(t('Applications'))}</h3>${applicationsTable(g.applications, t('None (a founding partner).'))}
    <h3>${esc(t('Proposals about this partner'))}</h3><div id="proposals-about">${proposalsTable(g.proposals_about, t('None.'))}</div>
    <h3>${esc(t('Proposals it made'))}</h3>${proposalsTable(g.proposals_made, t('None.'))}
    <h3>${esc(t('Votes it cast'))}</h3><div id="votes-cast">${votes}</div>
    <h3>${esc(t('Details'))}</h3>${details}`;
}

// -- provenance -----------------------------------------------------------------------------------------------------
// An original's provenance (the provenance registry, issue 16): who owns and holds it, what happened to it, and whether
// it is reported lost or stolen. Verification answers list the originals registered under the verified fingerprint or
// linked to the verified certificate (`provenance`, summaries); each gets a banner when it has a disposition (red for
// lost or stolen, a milder warning for destroyed or recalled; with words, never colour alone) and a section with its
// owner, holder, registrar, lineage and its timeline from GET /originals/{id}/provenance, oldest first, in pages.

const DISPOSITION_BANNERS = {
  STOLEN: t('Reported stolen'), LOST: t('Reported lost'), DESTROYED: t('Reported destroyed'), RECALLED: t('Recalled'),
};
const DISPOSITION_TEXTS = {
  STOLEN: t('Its owner or holder reported this original stolen. It cannot change hands until the owner, or the council for a false report, clears the report.'),
  LOST: t('Its owner or holder reported this original lost. It cannot change hands until the owner, or the council for a false report, clears the report.'),
  DESTROYED: t('Its owner or holder reported this original destroyed.'),
  RECALLED: t('Its registrar recalled this original.'),
};
const DISPOSITION_NAMES = { STOLEN: t('stolen'), LOST: t('lost'), DESTROYED: t('destroyed'), RECALLED: t('recalled') };
const DISPOSITION_STATUSES = {
  NONE: t('no report'), STOLEN: t('reported stolen'), LOST: t('reported lost'), DESTROYED: t('reported destroyed'),
  RECALLED: t('recalled'),
};
const SEVERE = new Set(['STOLEN', 'LOST']);
// The common CBV business steps (ledger/cbv.py) as the kind of event; any other step is shown from its code's name.
const STEP_NAMES = {
  accepting: t('Acceptance'), arriving: t('Arrival'), assembling: t('Assembly'), commissioning: t('Commissioning'),
  decommissioning: t('Decommissioning'), departing: t('Departure'), destroying: t('Destruction'), inspecting: t('Inspection'),
  installing: t('Installation'), loading: t('Loading'), packing: t('Packing'), receiving: t('Receipt'), repairing: t('Repair'),
  retail_selling: t('Retail sale'), shipping: t('Shipping'), storing: t('Storage'), transporting: t('Transport'),
  unloading: t('Unloading'), appraising: t('Appraisal'), exhibiting: t('Exhibition'), restoring: t('Restoration'),
  servicing: t('Servicing'), recycling: t('Recycling'), authenticating: t('Authentication'), other: t('Other event'),
};
function stepWord(step) {
  if (!step) return t('Event');
  if (!step.name) return t('Business step {code}', { code: step.code });
  return STEP_NAMES[step.name] || human(step.name);
}

// Partner names by address, once per page load (names are shown where known; others are pseudonymous addresses).
let partnerNames = null;
function loadPartnerNames() {
  if (!partnerNames) {
    partnerNames = fetch('/partners?limit=500').then((r) => (r.ok ? r.json() : { data: [] }))
      .then((body) => new Map((body.data || []).map((p) => [p.address.toLowerCase(), p.display_name])))
      .catch(() => new Map());
  }
  return partnerNames;
}

const short = (hex) => (hex && hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : String(hex ?? ''));
// An address: the partner's name (a link to its page) where known, else shortened; the full address in the title.
function addressHtml(address, names, name) {
  if (!address) return '—';
  const known = name || names.get(address.toLowerCase());
  if (known) return `<a href="/p/${esc(address)}" title="${esc(address)}">${esc(known)}</a>`;
  return `<code title="${esc(address)}">${esc(short(address))}</code>`;
}
const originalLink = (id) => `<a href="/originals/${esc(id)}"><code title="${esc(id)}">${esc(short(id))}</code></a>`;
const certificateLink = (id) => `<a href="/c/${esc(id)}"><code title="${esc(id)}">${esc(short(id))}</code></a>`;

function dispositionBanner(o, names) {
  if (!o.disposition || o.disposition === 'NONE') return '';
  const kind = SEVERE.has(o.disposition) ? 'alarm' : 'caution';
  const which = html(t('Original {original}, registered by {registrar}.'), {
    original: originalLink(o.id), registrar: addressHtml(o.registrar, names, o.registrar_name),
  });
  return `<div class="banner ${kind}" role="alert" data-disposition="${esc(o.disposition)}">
    <p class="banner-title"><strong>${esc(named(DISPOSITION_BANNERS, o.disposition))}</strong></p>
    <p>${esc(DISPOSITION_TEXTS[o.disposition] || '')} ${which}</p></div>`;
}

function rightText(right, title, custody) { return right === 'CUSTODY' ? custody : title; }

// One timeline entry as a sentence with its parties (names where known).
function entryText(e, names) {
  const by = addressHtml(e.actor, names);
  const to = addressHtml(e.party, names);
  const until = e.deadline ? esc(when(e.deadline)) : '—';
  switch (e.action) {
    case 'registered': return html(t('Registered by {registrar}; owner {owner}'), { registrar: by, owner: to });
    case 'held_at_registration': return html(t('Held by {holder} from its registration'), { holder: to });
    case 'soulbound': return esc(t('Made non-transferable: its title can never change hands'));
    case 'certificate_linked': return html(t('Linked to certificate {certificate}'), { certificate: certificateLink(e.reference) });
    case 'derived': return html(t('Made from original {parent}'), { parent: originalLink(e.reference) });
    case 'offered': return html(rightText(e.right, t('Title offered to {to} (open until {deadline})'), t('Custody offered to {to} (open until {deadline})')), { to, deadline: until });
    case 'claim_offered': return html(rightText(e.right, t('Title offered for a claim with a one-time code (open until {deadline})'), t('Custody offered for a claim with a one-time code (open until {deadline})')), { deadline: until });
    case 'transferred': return html(rightText(e.right, t('Owner changed: {from} → {to}'), t('Custody changed: {from} → {to}')), { from: by, to });
    case 'claimed': return html(rightText(e.right, t('Title claimed by {claimant}'), t('Custody claimed by {claimant}')), { claimant: by });
    case 'rejected': return html(rightText(e.right, t('Title offer rejected by {by}'), t('Custody offer rejected by {by}')), { by });
    case 'cancelled': return html(rightText(e.right, t('Title offer cancelled by {by}'), t('Custody offer cancelled by {by}')), { by });
    case 'event_recorded': return html(t('{step}, recorded by the holder {holder}'), { step: `<strong>${esc(stepWord(e.biz_step))}</strong>`, holder: by });
    case 'event_consented': return html(t('{step}, recorded by {recorder} with the consent of the holder {holder}'), { step: `<strong>${esc(stepWord(e.biz_step))}</strong>`, recorder: by, holder: to });
    case 'disposition_reported': {
      const texts = { STOLEN: t('Reported stolen by {by}'), LOST: t('Reported lost by {by}'), DESTROYED: t('Reported destroyed by {by}'), RECALLED: t('Recalled by {by}') };
      return `<strong>${html(texts[e.disposition] || t('Disposition {disposition} reported by {by}'), { by, disposition: esc(e.disposition) })}</strong>`;
    }
    case 'disposition_cleared': {
      if (e.by_council) return html(t('Report ({disposition}) cleared by the council as false'), { disposition: esc(named(DISPOSITION_NAMES, e.disposition)) });
      const texts = { STOLEN: t('Recovered: the report of theft cleared by {by}'), LOST: t('Found: the report of loss cleared by {by}'), RECALLED: t('Recall ended by {by}') };
      return html(texts[e.disposition] || t('Report ({disposition}) cleared by {by}'), { by, disposition: esc(named(DISPOSITION_NAMES, e.disposition)) });
    }
    default: return html(t('{action} by {by}'), { action: esc(human(e.action)), by });
  }
}

function timelineRows(entries, names) {
  return entries.map((e) => {
    const happened = e.occurred_at && e.occurred_at !== e.at
      ? ` <span class="muted">${esc(t('(happened {time})', { time: when(e.occurred_at) }))}</span>` : '';
    return `<tr class="entry-${esc(e.action)}"><td>${esc(when(e.at))}</td><td>${entryText(e, names)}${happened}</td></tr>`;
  }).join('');
}

function facts(p, names) {
  const rows = [
    [t('Original'), originalLink(p.id)],
    [t('Owner'), addressHtml(p.owner, names)],
    [t('Holder'), p.holder === p.owner ? html(t('{holder} (the owner)'), { holder: addressHtml(p.holder, names) }) : addressHtml(p.holder, names)],
    [t('Registered by'), p.registered_at
      ? html(t('{registrar} on {time}'), { registrar: addressHtml(p.registrar, names, p.registrar_name), time: esc(when(p.registered_at)) })
      : addressHtml(p.registrar, names, p.registrar_name)],
    [t('Status'), esc(named(DISPOSITION_STATUSES, p.disposition))],
  ];
  if (p.soulbound) rows.push([t('Transferable'), esc(t('no: its title can never change hands'))]);
  const first = p.first_registered;
  if (!p.first_registration) {
    const text = first
      ? html(t('First registered by {registrar} on {time} as {original}: this is a later registration of the same identifier.'), {
        registrar: addressHtml(first.registrar, names, first.registrar_name), time: esc(when(first.registered_at)), original: originalLink(first.original),
      })
      : esc(t('This is a later registration of an identifier another partner registered first.'));
    rows.push([t('First registration'), `<span class="flag">${text}</span>`]);
  }
  if (p.parents && p.parents.length) rows.push([t('Made from'), p.parents.map(originalLink).join(', ')]);
  if (p.children && p.children.length) rows.push([t('Made into'), p.children.map(originalLink).join(', ')]);
  if (p.certificates && p.certificates.length) rows.push([t('Certificates'), p.certificates.map(certificateLink).join(', ')]);
  return `<dl class="facts">${rows.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

// The section of one original: facts, then its timeline (with a "More" button while there are pages left). `summary`
// is what the verification answer said; the provenance answer replaces it once it is there.
async function provenanceSection(section, summary, names, level = 2) {
  const heading = `<h${level}>${html(t('Provenance of original {original}'), { original: `<code title="${esc(summary.id)}">${esc(short(summary.id))}</code>` })}</h${level}>`;
  const preliminary = summary.owner ? facts(summary, names) : '';
  section.innerHTML = `${heading}${preliminary}<p class="muted">${esc(t('Loading…'))}</p>`;
  let p;
  try {
    p = await api(`/originals/${summary.id}/provenance?limit=50`);
  } catch (error) {
    section.innerHTML = `${heading}${preliminary}${failure(error)}`;
    return null;
  }
  const epcis = `<a href="/originals/${esc(p.id)}/epcis">${esc(t('its events as EPCIS 2.0 (JSON-LD)'))}</a>`;
  section.innerHTML = `${heading}${facts(p, names)}
    <h${level + 1}>${esc(t('Events'))}</h${level + 1}>
    <table class="timeline"><thead><tr><th scope="col">${esc(t('When'))}</th><th scope="col">${esc(t('What'))}</th></tr></thead><tbody>${timelineRows(p.timeline, names)}</tbody></table>
    <p class="noprint"><button class="secondary more" type="button" hidden>${esc(t('More'))}</button> <span class="muted">${html(t('Also as {link}.'), { link: epcis })}</span></p>`;
  const more = $('.more', section);
  const body = $('tbody', section);
  const next = (cursor) => {
    more.hidden = !cursor;
    more.onclick = async () => {
      more.disabled = true;
      try {
        const page = await api(`/originals/${p.id}/provenance?limit=50&cursor=${encodeURIComponent(cursor)}`);
        body.insertAdjacentHTML('beforeend', timelineRows(page.timeline, names));
        next(page.next_cursor);
      } catch (error) {
        more.insertAdjacentHTML('afterend', failure(error));
      } finally { more.disabled = false; }
    };
  };
  next(p.next_cursor);
  return p;
}

// The originals of a verification answer (on the answer, and on each result), each once, first registrations first.
function originalsOf(answerProvenance, results) {
  const seen = new Map();
  for (const o of [...(answerProvenance || []), ...results.flatMap((r) => r.provenance || [])]) if (!seen.has(o.id)) seen.set(o.id, o);
  return [...seen.values()];
}

// Banners into `banners`, one section per original into `area`.
async function showProvenance(banners, area, originals, level = 2) {
  if (!originals.length) return;
  const names = await loadPartnerNames();
  banners.innerHTML = originals.map((o) => dispositionBanner(o, names)).join('');
  area.innerHTML = originals.map((o, i) => `<section class="card provenance" id="original-${i}" data-original="${esc(o.id)}"></section>`).join('');
  await Promise.all(originals.map((o, i) => provenanceSection($(`#original-${i}`, area), o, names, level)));
}

// -- an original's page, and the GS1 Digital Link resolver ------------------------------------------------------------

async function originalPage(id) {
  pageTitle(t('original'));
  view().innerHTML = `<h1>${esc(t('Provenance of an original'))}</h1><div id="banners"></div><div id="originals"></div>`;
  const names = await loadPartnerNames();
  const section = document.createElement('section');
  section.className = 'card provenance';
  section.id = 'original-0';
  $('#originals').append(section);
  const p = await provenanceSection(section, { id, first_registration: true }, names);
  if (p) $('#banners').innerHTML = dispositionBanner(p, names);
}

// The serial as GS1 Digital Link writes it, percent-encoded; a stray % is taken as it is (the API then says what is wrong).
function decodedSerial(text) {
  try { return decodeURIComponent(text); } catch (e) { return text; }
}

async function digitalLinkPage(gtin, serial) {
  pageTitle(t('GTIN {gtin}, serial {serial}', { gtin, serial }));
  const path = `/01/${encodeURIComponent(gtin)}/21/${encodeURIComponent(serial)}`;
  view().innerHTML = `<div class="card">
      <img class="qr" id="qr" src="${esc(path)}/qr.svg" alt="${esc(t('QR code of this page’s GS1 Digital Link'))}">
      <h1>${esc(t('GTIN {gtin}, serial {serial}', { gtin, serial }))}</h1>
      <div id="link"><p class="muted">${esc(t('Loading…'))}</p></div></div>
    <div id="banners"></div><div id="originals"></div>`;
  try {
    const link = await api(`/digital-link?${new URLSearchParams({ gtin, serial })}`);
    $('#link').innerHTML = `<dl class="facts">
      <dt>${esc(t('This page'))}</dt><dd><a href="${esc(link.link)}">${esc(link.link)}</a></dd>
      <dt>${esc(t('GS1 Digital Link'))}</dt><dd><code>${esc(link.uri)}</code></dd>
      <dt>${esc(t('Identifier'))}</dt><dd><code>${esc(link.identifier)}</code></dd></dl>`;
    const page = await api(`/originals?identifier=${link.identifier}&limit=100`);
    if (!page.items.length) {
      $('#originals').innerHTML = `<p id="none">${esc(t('No original is registered under this GTIN and serial.'))}</p>`;
      return;
    }
    await showProvenance($('#banners'), $('#originals'), page.items);
  } catch (error) {
    $('#originals').innerHTML = failure(error);
  }
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
  if ((match = path.match(/^\/originals\/(0x[0-9a-fA-F]{64})$/))) return originalPage(match[1].toLowerCase());
  if ((match = path.match(/^\/01\/([0-9]{8,14})\/21\/(.+)$/))) return digitalLinkPage(match[1], decodedSerial(match[2]));
  if (path === '/directory') return partnersPage();
  if (path === '/browse') return certificatesPage();
  if (path === '/console' && window.consolePage) return window.consolePage();
  return verifyPage();
}

window.addEventListener('popstate', route);
document.addEventListener('DOMContentLoaded', route);
