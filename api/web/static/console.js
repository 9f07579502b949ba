// The issuer console (/console): an issuer signs in with its API key, issues files as one certificate or one batch
// (hashed here, in the browser: only fingerprints and the attributes typed in are sent), follows the transaction from
// sent to mined to indexed, downloads the certificate documents (one file, or a zip) and their PDF certificates, and
// lists, suspends, reinstates and revokes its own certificates.
//
// The key lives in this tab only: in memory and in sessionStorage (so that a reload keeps the session), never in a
// URL, a cookie or localStorage; it is sent as `Authorization: Bearer`, and signing out forgets it. The page is one
// function, window.consolePage, that app.js's route() calls for /console; texts go through t() (i18n.js), with
// fallbacks until that file is loaded.
'use strict';

(() => {
  const fill = (message, values = {}) => String(message).replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
  const t = (message, values) => (window.t ? window.t(message, values) : fill(message, values));
  const tn = (one, many, n, values = {}) => (window.tn ? window.tn(one, many, n, values) : fill(n === 1 ? one : many, { count: formatNumber(n), ...values }));
  const formatWhen = (unix) => {
    if (window.formatWhen) return window.formatWhen(unix);
    return unix ? new Date(unix * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—';
  };
  const formatNumber = (n) => (window.formatNumber ? window.formatNumber(n) : new Intl.NumberFormat().format(n));

  const KEY = 'originals.console.key';
  const HEX32 = /^0x[0-9a-fA-F]{64}$/;
  const STATUSES = ['VALID', 'SUSPENDED', 'REVOKED'];
  const PAGE_SIZES = [5, 20, 100];
  // The registry's reason codes (ledger/verification/rules.py REASONS): the number is what the chain stores.
  const REASONS = () => [
    t('unspecified'), t('key compromise'), t('superseded by a new certificate'), t('issued in error'),
    t('original destroyed'), t('fraud'), t('under investigation'), t('original lost'), t('original stolen'),
    t('issuer ceased operation'), t('privilege withdrawn'),
  ];
  const reasonText = (code) => REASONS()[code] ?? t('reason code {code}', { code });
  const statusText = (status) => ({ VALID: t('Valid'), SUSPENDED: t('Suspended'), REVOKED: t('Revoked') })[status] || status;
  const ACTIONS = {
    suspend: { label: () => t('Suspend'), done: () => t('Suspended.'), from: ['VALID'] },
    reinstate: { label: () => t('Reinstate'), done: () => t('Reinstated.'), from: ['SUSPENDED'] },
    revoke: { label: () => t('Revoke (final)'), done: () => t('Revoked.'), from: ['VALID', 'SUSPENDED'] },
  };

  const $ = (selector, root = document) => root.querySelector(selector);
  const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const view = () => $('#view');

  // -- the session ---------------------------------------------------------------------------------------------------

  const session = { key: null, me: null };

  function storedKey() {
    try { return sessionStorage.getItem(KEY); } catch (e) { return null; }
  }

  function forget() {
    session.key = null;
    session.me = null;
    try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing was kept */ }
  }

  // An API refusal (problem+json): its title and detail, as the API wrote them in the request's language.
  class Refusal extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || `HTTP ${status}`);
      this.status = status;
      this.title = problem.title || `HTTP ${status}`;
      this.detail = problem.detail || '';
    }
  }

  async function call(path, { method = 'GET', body, key = session.key, raw = false } = {}) {
    const headers = { accept: raw ? 'application/pdf, application/problem+json' : 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (window.LANG) headers['accept-language'] = window.LANG; // the page's language (i18n.js), for the API's problems
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      if (response.status === 401 && key && key === session.key) forget();
      throw new Refusal(response.status, problem);
    }
    return raw ? response.blob() : response.json();
  }

  function refusal(error) {
    if (error instanceof Refusal) {
      return `<p class="outcome refused" role="alert"><span class="problem-title">${esc(error.title)}</span>: <span class="problem-detail">${esc(error.detail)}</span></p>`;
    }
    return `<p class="outcome refused" role="alert">${esc(t('The server could not be reached: {why}', { why: error.message }))}</p>`;
  }

  // -- the page ------------------------------------------------------------------------------------------------------

  async function consolePage() {
    document.title = t('Originals — issuer console');
    if (!session.key) session.key = storedKey();
    if (!session.key) return signInView();
    view().innerHTML = `<h1>${esc(t('Issuer console'))}</h1><p class="muted">${esc(t('Signing in…'))}</p>`;
    try {
      session.me = await call('/issuer');
    } catch (error) {
      forget();
      return signInView(error);
    }
    signedInView();
  }

  function signInView(error) {
    view().innerHTML = `<h1>${esc(t('Issuer console'))}</h1>
      <p>${esc(t('Issue certificates for your files, download them, and manage the certificates you issued.'))}</p>
      <form id="signin" class="stack" method="post" action="/console" novalidate>
        <label for="api-key">${esc(t('Your issuer API key'))}</label>
        <input type="password" id="api-key" name="api-key" autocomplete="off" spellcheck="false" required aria-describedby="api-key-help" placeholder="orig_…">
        <p id="api-key-help" class="muted">${esc(t('It stays in this browser tab until you sign out or close the tab; it is never put into a link, a cookie or the browser\'s permanent storage.'))}</p>
        <div class="buttons"><button type="submit" id="signin-button">${esc(t('Sign in'))}</button></div>
      </form>
      <div id="signin-message">${error ? refusal(error) : ''}</div>`;
    $('#signin').addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = $('#api-key');
      const key = input.value.trim();
      if (!key) {
        $('#signin-message').innerHTML = `<p class="outcome refused" role="alert">${esc(t('Enter your API key.'))}</p>`;
        input.focus();
        return;
      }
      $('#signin-button').disabled = true;
      try {
        const me = await call('/issuer', { key });
        session.key = key;
        session.me = me;
        try { sessionStorage.setItem(KEY, key); } catch (e) { /* memory only */ }
        signedInView();
      } catch (failure) {
        input.value = '';
        $('#signin-button').disabled = false;
        $('#signin-message').innerHTML = refusal(failure);
        input.focus();
      }
    });
    $('#api-key').focus();
  }

  function partnerStatus(status) {
    const names = { APPLIED: t('applied'), ACTIVE: t('active'), SUSPENDED: t('suspended'), EXPELLED: t('expelled'), LEFT: t('left') };
    return status ? names[status] || status : t('not a partner');
  }

  function whoText(me) {
    const rights = me.rights.map((r) => ({ ISSUER: t('issuer'), COUNCIL: t('council') })[r] || r).join(', ') || t('none');
    return `<p>${esc(t('Signed in as'))} <strong id="issuer-name">${esc(me.display_name || t('an account that is no partner'))}</strong>
      ${me.domain ? `(${esc(me.domain)})` : ''}</p>
      <p class="mono" id="issuer-address">${esc(me.address)}</p>
      <p>${esc(t('Status: {status} · rights: {rights} · key: {label}', { status: partnerStatus(me.status), rights, label: me.key_label }))}</p>
      ${me.active_issuer ? '' : `<p class="outcome refused" id="not-issuer">${esc(t('This account is not an active issuer now: the registry refuses the certificates it would issue.'))}</p>`}`;
  }

  function signedInView() {
    const me = session.me;
    view().innerHTML = `<h1>${esc(t('Issuer console'))}</h1>
      <section class="card" id="who" aria-label="${esc(t('Who you are'))}">${whoText(me)}
        <div class="buttons"><button type="button" class="secondary" id="signout">${esc(t('Sign out'))}</button></div>
      </section>
      <section aria-labelledby="issue-heading">
        <h2 id="issue-heading">${esc(t('Issue certificates'))}</h2>
        <div class="drop" id="console-drop" tabindex="0" role="button" aria-describedby="console-drop-help">
          <strong>${esc(t('Drop files here'))}</strong> ${esc(t('or press Enter to choose them'))}
          <div id="console-drop-help" class="muted">${esc(t('Each file is hashed here, in your browser: only its fingerprint and the details you enter are sent.'))}</div>
        </div>
        <input type="file" id="console-file" multiple hidden>
        <div id="files"></div>
        <div id="issue-options" hidden>
          <div class="row">
            <label class="narrow" for="valid-until">${esc(t('Valid until (optional)'))}<input type="date" id="valid-until"></label>
          </div>
          <label class="check-line"><input type="checkbox" id="publish" checked> ${esc(t('Publish each file\'s fingerprint on chain (a batch), so the file alone verifies'))}</label>
          <div class="buttons"><button type="button" id="issue">${esc(t('Issue'))}</button><button type="button" class="secondary" id="clear-files">${esc(t('Remove all files'))}</button></div>
        </div>
        <div id="issue-progress"></div>
        <div id="issue-message"></div>
        <div id="issued"></div>
      </section>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">${esc(t('Your certificates'))}</h2>
        <form class="row" id="list-filters">
          <label class="narrow" for="list-status">${esc(t('Status'))}<select id="list-status"><option value="">${esc(t('any'))}</option>${STATUSES.map((s) => `<option value="${s}">${esc(statusText(s))}</option>`).join('')}</select></label>
          <label class="narrow" for="list-size">${esc(t('Per page'))}<select id="list-size">${PAGE_SIZES.map((n) => `<option value="${n}"${n === 20 ? ' selected' : ''}>${esc(formatNumber(n))}</option>`).join('')}</select></label>
          <label for="list-search">${esc(t('Certificate id or fingerprint (or their start)'))}<input type="text" id="list-search" placeholder="0x…" autocomplete="off" spellcheck="false"></label>
          <button type="submit">${esc(t('Show'))}</button>
        </form>
        <div id="list-message"></div>
        <div id="own-list" aria-live="polite"></div>
        <p><button type="button" class="secondary" id="list-more" hidden>${esc(t('More certificates'))}</button></p>
        <div id="change" aria-live="polite"></div>
      </section>`;
    $('#signout').addEventListener('click', () => { forget(); files.length = 0; signInView(); });
    setUpDrop();
    $('#issue').addEventListener('click', issue);
    $('#clear-files').addEventListener('click', () => { files.length = 0; renderFiles(); });
    $('#list-filters').addEventListener('submit', (event) => { event.preventDefault(); loadList(); });
    $('#list-search').addEventListener('input', () => showList());
    renderFiles();
    loadList();
  }

  // -- files to issue ------------------------------------------------------------------------------------------------

  const files = []; // { file, fingerprint, name, kind, serial, attributes }
  let issuing = false;

  function setUpDrop() {
    const drop = $('#console-drop');
    const input = $('#console-file');
    drop.addEventListener('click', () => input.click());
    drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); addFiles([...e.dataTransfer.files]); });
    input.addEventListener('change', () => { addFiles([...input.files]); input.value = ''; });
  }

  async function fingerprintOf(file) {
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    return '0x' + Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function addFiles(list) {
    if (!list.length || issuing) return;
    $('#issue-message').innerHTML = `<p class="muted">${esc(tn('Hashing {count} file…', 'Hashing {count} files…', list.length))}</p>`;
    saveFields();
    for (const file of list) {
      const fingerprint = await fingerprintOf(file);
      if (files.some((f) => f.fingerprint === fingerprint)) continue; // the same file twice would be one leaf twice
      files.push({ file, fingerprint, name: file.name, kind: 'document', serial: '', attributes: '' });
    }
    $('#issue-message').innerHTML = '';
    $('#issued').innerHTML = '';
    $('#issue-progress').innerHTML = '';
    renderFiles();
  }

  // The typed-in fields are kept in `files` before the list is drawn again.
  function saveFields() {
    files.forEach((f, i) => {
      for (const field of ['name', 'kind', 'serial', 'attributes']) {
        const input = $(`#file-${i}-${field}`);
        if (input) f[field] = input.value;
      }
    });
  }

  function renderFiles() {
    const list = $('#files');
    if (!list) return;
    list.innerHTML = files.map((f, i) => `<fieldset class="file-entry" id="file-${i}">
      <legend>${esc(t('File {n}: {name}', { n: i + 1, name: f.file.name }))}</legend>
      <p class="muted">${esc(t('Fingerprint (SHA-256)'))} <code class="fingerprint">${esc(f.fingerprint)}</code></p>
      <div class="row">
        <label for="file-${i}-name">${esc(t('Name'))}<input type="text" id="file-${i}-name" value="${esc(f.name)}" maxlength="500" required></label>
        <label class="narrow" for="file-${i}-kind">${esc(t('Kind'))}<input type="text" id="file-${i}-kind" value="${esc(f.kind)}" maxlength="100" required list="kinds"></label>
        <label class="narrow" for="file-${i}-serial">${esc(t('Serial number (optional)'))}<input type="text" id="file-${i}-serial" value="${esc(f.serial)}" maxlength="500"></label>
      </div>
      <label class="block" for="file-${i}-attributes">${esc(t('Other details (optional), one per line: name = value'))}<textarea id="file-${i}-attributes" rows="2">${esc(f.attributes)}</textarea></label>
      <div class="buttons"><button type="button" class="secondary remove-file" data-index="${i}">${esc(t('Remove {name}', { name: f.file.name }))}</button></div>
    </fieldset>`).join('') + '<datalist id="kinds"><option value="document"><option value="diploma"><option value="artwork"><option value="fabric-batch"><option value="contract"></datalist>';
    list.querySelectorAll('.remove-file').forEach((button) => button.addEventListener('click', () => {
      saveFields();
      files.splice(Number(button.dataset.index), 1);
      renderFiles();
      $('#console-drop').focus();
    }));
    $('#issue-options').hidden = files.length === 0;
    $('#publish').closest('label').hidden = files.length < 2;
    $('#issue').textContent = files.length === 1
      ? t('Issue one certificate')
      : tn('Issue a batch of {count} file', 'Issue a batch of {count} files', files.length);
  }

  function attributesOf(text, label) {
    const attributes = {};
    for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const at = line.indexOf('=');
      if (at <= 0) throw new Error(t('{file}: write each detail as name = value ("{line}")', { file: label, line }));
      attributes[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    return attributes;
  }

  function originals() {
    saveFields();
    return files.map((f) => {
      const original = { name: f.name.trim(), kind: f.kind.trim(), fingerprint: f.fingerprint, attributes: attributesOf(f.attributes, f.file.name) };
      if (f.serial.trim()) original.serial = f.serial.trim();
      return original;
    });
  }

  // The end of the chosen day (UTC), as a Unix time; nothing when no date is chosen.
  function validUntil() {
    const value = $('#valid-until').value;
    if (!value) return null;
    const [year, month, day] = value.split('-').map(Number);
    return Math.floor(Date.UTC(year, month - 1, day, 23, 59, 59) / 1000);
  }

  // -- progress: sent -> mined -> indexed ----------------------------------------------------------------------------

  const STAGES = ['sent', 'mined', 'indexed'];
  const STAGE_TEXT = {
    sent: () => t('Sent: waiting for the transaction to be mined…'),
    mined: (values) => t('Mined in block {block}: waiting for the index…', values),
    indexed: () => t('Indexed: the change is verifiable now.'),
  };

  function progress(where, label) {
    where.innerHTML = `<div class="progress-box">
        <label for="${where.id}-bar">${esc(label)}</label>
        <progress id="${where.id}-bar" max="3" value="0"></progress>
        <ol class="stages">${STAGES.map((s) => `<li data-stage="${s}">${esc({ sent: t('sent'), mined: t('mined'), indexed: t('indexed') }[s])}</li>`).join('')}</ol>
        <p class="stage-text" role="status"></p>
      </div>`;
    const bar = $('progress', where);
    return (stage, values = {}) => {
      const n = STAGES.indexOf(stage) + 1;
      bar.value = n;
      bar.dataset.stage = stage;
      where.dataset.stage = stage;
      where.querySelectorAll('li').forEach((li, i) => li.classList.toggle('done', i < n));
      $('.stage-text', where).textContent = STAGE_TEXT[stage](values);
    };
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const INDEX_PATIENCE_MS = 120_000;

  // Polls GET /transactions/{tx} until the indexer has applied it; false when it has not within two minutes.
  async function untilIndexed(txHash) {
    const started = Date.now();
    for (let delay = 250; Date.now() - started < INDEX_PATIENCE_MS; delay = Math.min(delay * 1.5, 2000)) {
      const answer = await call(`/transactions/${txHash}`);
      if (answer.status === 'indexed') return true;
      await sleep(delay);
    }
    return false;
  }

  function notIndexedYet(block) {
    return `<p class="notice" role="status">${esc(t('Mined in block {block}, but the index has not caught up after two minutes. The transaction is on chain; pages and PDFs show it once the index has it.', { block: formatNumber(block) }))}</p>`;
  }

  // -- issuing ---------------------------------------------------------------------------------------------------

  async function issue() {
    if (issuing || !files.length) return;
    const message = $('#issue-message');
    let body;
    try {
      const list = originals();
      const until = validUntil();
      body = list.length === 1
        ? { original: list[0], ...(until ? { valid_until: until } : {}) }
        : { originals: list, publish_fingerprints: $('#publish').checked, ...(until ? { valid_until: until } : {}) };
    } catch (error) {
      message.innerHTML = `<p class="outcome refused" role="alert">${esc(error.message)}</p>`;
      return;
    }
    issuing = true;
    $('#issue').disabled = true;
    message.innerHTML = '';
    $('#issued').innerHTML = '';
    const step = progress($('#issue-progress'), t('Progress of the transaction'));
    step('sent');
    try {
      const issued = await call(files.length === 1 ? '/certificates' : '/batches', { method: 'POST', body });
      step('mined', { block: formatNumber(issued.block_number) });
      // The documents are handed out whatever the index does: they are valid once mined, and the server keeps none.
      if (await untilIndexed(issued.tx_hash).catch(() => false)) step('indexed');
      else message.innerHTML = notIndexedYet(issued.block_number);
      showIssued(issued, files.map((f) => f.file.name));
      files.length = 0;
      renderFiles();
      loadList();
    } catch (error) {
      message.innerHTML = refusal(error);
      $('#issue-progress').innerHTML = '';
    } finally {
      issuing = false;
      $('#issue').disabled = false;
    }
  }

  function documentName(fileName, used) {
    let name = `${fileName}.originals.json`;
    for (let n = 2; used.has(name); n += 1) name = `${fileName} (${n}).originals.json`;
    used.add(name);
    return name;
  }

  function showIssued(issued, fileNames) {
    const used = new Set();
    const docs = issued.documents.map((document_, i) => ({ document: document_, name: documentName(fileNames[i], used), file: fileNames[i] }));
    const text = (d) => JSON.stringify(d.document, null, 2) + '\n';
    const batch = docs.length > 1;
    $('#issued').innerHTML = `<div class="outcome done" id="issued-summary" tabindex="-1">
        <p>${esc(batch ? tn('Issued a batch of {count} document in block {block}.', 'Issued a batch of {count} documents in block {block}.', docs.length, { block: formatNumber(issued.block_number) }) : t('Issued one certificate in block {block}.', { block: formatNumber(issued.block_number) }))}
          ${esc(t('Certificate'))} <a href="/c/${esc(issued.id)}"><code>${esc(issued.id)}</code></a></p>
        <p>${esc(t('Give each holder their certificate document or its PDF: the server keeps no copy.'))}</p>
        ${batch ? `<div class="buttons"><button type="button" id="download-zip">${esc(t('Download all documents (zip)'))}</button></div>` : ''}
      </div>
      <table id="issued-documents"><thead><tr><th scope="col">${esc(t('File'))}</th><th scope="col">${esc(t('Downloads'))}</th></tr></thead><tbody>
        ${docs.map((d, i) => `<tr><td>${esc(d.file)}</td><td class="buttons">
          <button type="button" class="secondary download-json" data-index="${i}">${esc(t('Document of {file}', { file: d.file }))}</button>
          <button type="button" class="secondary download-pdf" data-index="${i}">${esc(t('PDF of {file}', { file: d.file }))}</button></td></tr>`).join('')}
      </tbody></table><div id="download-message"></div>`;
    if (batch) {
      $('#download-zip').addEventListener('click', () => {
        const zip = storedZip(docs.map((d) => ({ name: d.name, data: new TextEncoder().encode(text(d)) })));
        save(new Blob([zip], { type: 'application/zip' }), `certificates-${issued.id.slice(2, 12)}.zip`);
      });
    }
    document.querySelectorAll('.download-json').forEach((button) => button.addEventListener('click', () => {
      const d = docs[Number(button.dataset.index)];
      save(new Blob([text(d)], { type: 'application/json' }), d.name);
    }));
    document.querySelectorAll('.download-pdf').forEach((button) => button.addEventListener('click', async () => {
      const d = docs[Number(button.dataset.index)];
      button.disabled = true;
      try {
        const pdf = await call('/pdf', { method: 'POST', body: d.document, raw: true });
        save(pdf, `${d.file}.pdf`);
        $('#download-message').innerHTML = '';
      } catch (error) {
        $('#download-message').innerHTML = refusal(error);
      } finally {
        button.disabled = false;
      }
    }));
    $('#issued-summary').focus();
  }

  function save(blob, name) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  }

  // -- a store-only ZIP (no compression: the documents are small), with each entry's CRC-32 -----------------------

  const CRC_TABLE = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n += 1) {
      let c = n;
      for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    let crc = 0xffffffff;
    for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  function storedZip(entries) {
    const now = new Date();
    const time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    const date = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
    const parts = [];
    const central = [];
    let offset = 0;
    for (const entry of entries) {
      const name = new TextEncoder().encode(entry.name);
      const crc = crc32(entry.data);
      const local = new DataView(new ArrayBuffer(30));
      [[0, 0x04034b50, 4], [4, 20, 2], [6, 0x0800, 2], [8, 0, 2], [10, time, 2], [12, date, 2], [14, crc, 4],
        [18, entry.data.length, 4], [22, entry.data.length, 4], [26, name.length, 2], [28, 0, 2]]
        .forEach(([at, value, size]) => (size === 4 ? local.setUint32(at, value, true) : local.setUint16(at, value, true)));
      const record = new DataView(new ArrayBuffer(46));
      [[0, 0x02014b50, 4], [4, 20, 2], [6, 20, 2], [8, 0x0800, 2], [10, 0, 2], [12, time, 2], [14, date, 2], [16, crc, 4],
        [20, entry.data.length, 4], [24, entry.data.length, 4], [28, name.length, 2], [30, 0, 2], [32, 0, 2], [34, 0, 2],
        [36, 0, 2], [38, 0, 4], [42, offset, 4]]
        .forEach(([at, value, size]) => (size === 4 ? record.setUint32(at, value, true) : record.setUint16(at, value, true)));
      parts.push(new Uint8Array(local.buffer), name, entry.data);
      central.push(new Uint8Array(record.buffer), name);
      offset += 30 + name.length + entry.data.length;
    }
    const size = central.reduce((sum, part) => sum + part.length, 0);
    const end = new DataView(new ArrayBuffer(22));
    [[0, 0x06054b50, 4], [4, 0, 2], [6, 0, 2], [8, entries.length, 2], [10, entries.length, 2], [12, size, 4], [16, offset, 4], [20, 0, 2]]
      .forEach(([at, value, bytes]) => (bytes === 4 ? end.setUint32(at, value, true) : end.setUint16(at, value, true)));
    return new Blob([...parts, ...central, new Uint8Array(end.buffer)]);
  }

  // -- its own certificates --------------------------------------------------------------------------------------

  const list = { rows: [], next: null, found: null };

  async function loadList(cursor = null) {
    const message = $('#list-message');
    if (!message) return;
    const search = $('#list-search').value.trim().toLowerCase();
    message.innerHTML = '';
    try {
      if (!cursor && HEX32.test(search)) {
        list.found = await findExact(search);
        list.rows = [];
        list.next = null;
        return showList();
      }
      list.found = null;
      const query = new URLSearchParams({ issuer: session.me.address, limit: $('#list-size').value });
      if ($('#list-status').value) query.set('status', $('#list-status').value);
      if (cursor) query.set('cursor', cursor);
      const page = await call(`/certificates?${query}`);
      list.rows = cursor ? [...list.rows, ...page.data] : page.data;
      list.next = page.next_cursor;
      showList();
    } catch (error) {
      message.innerHTML = refusal(error);
    }
  }

  // A whole id or fingerprint: the certificate with that id, or this issuer's certificates naming that original.
  async function findExact(value) {
    try {
      const certificate = await call(`/certificates/${value}`);
      return certificate.issuer === session.me.address ? [certificate] : [];
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 404) throw error;
    }
    const named = await call(`/originals/${value}/certificates`);
    return named.data.filter((c) => c.issuer === session.me.address);
  }

  function showList() {
    const where = $('#own-list');
    if (!where) return;
    const search = $('#list-search').value.trim().toLowerCase();
    let rows = list.found || list.rows;
    if (!list.found && search) rows = rows.filter((c) => c.id.startsWith(search) || (c.fingerprint || '').startsWith(search));
    const more = $('#list-more');
    more.hidden = !!list.found || !list.next;
    more.onclick = () => loadList(list.next);
    if (!rows.length) {
      where.innerHTML = `<p id="list-empty">${esc(search && !list.found ? t('None of the certificates shown matches; load more, or enter a whole id or fingerprint.') : t('No certificate matches.'))}</p>`;
      return;
    }
    where.innerHTML = `<p class="muted" id="list-count">${esc(tn('{count} certificate shown', '{count} certificates shown', rows.length))}</p>
      <table id="own-certificates"><thead><tr><th scope="col">${esc(t('Certificate'))}</th><th scope="col">${esc(t('Status'))}</th><th scope="col">${esc(t('Change'))}</th><th scope="col">${esc(t('Issued'))}</th><th scope="col">${esc(t('Documents'))}</th></tr></thead><tbody>
      ${rows.map((c) => `<tr data-id="${esc(c.id)}"><td><a href="/c/${esc(c.id)}"><code>${esc(c.id.slice(0, 14))}…</code></a></td>
        <td class="cert-status">${esc(statusText(c.status))}${c.status_reason !== null && c.status !== 'VALID' ? ` <span class="muted">(${esc(reasonText(c.status_reason))})</span>` : ''}</td>
        <td>${c.status === 'REVOKED' ? '—' : `<button type="button" class="secondary change-status" data-id="${esc(c.id)}" data-status="${esc(c.status)}" aria-label="${esc(t('Change the status of certificate {id}', { id: c.id.slice(0, 14) }))}">${esc(t('Change…'))}</button>`}</td>
        <td>${esc(formatWhen(c.issued_at))}</td><td>${esc(c.mode === 'single' ? t('one') : t('a batch'))}</td></tr>`).join('')}
      </tbody></table>`;
    where.querySelectorAll('.change-status').forEach((button) => button.addEventListener('click', () => changeForm(button.dataset.id, button.dataset.status)));
  }

  // -- suspend, reinstate, revoke (with a reason; revoking is final and is confirmed first) ---------------------

  function changeForm(id, status) {
    const where = $('#change');
    const actions = Object.entries(ACTIONS).filter(([, a]) => a.from.includes(status));
    where.innerHTML = `<form class="card stack" id="change-form">
        <h3 id="change-heading">${esc(t('Change the status of certificate {id}', { id: id.slice(0, 14) }))}</h3>
        <p class="mono">${esc(id)}</p>
        <label for="change-action">${esc(t('What to do'))}<select id="change-action">${actions.map(([name, a]) => `<option value="${name}">${esc(a.label())}</option>`).join('')}</select></label>
        <label for="change-reason">${esc(t('Reason'))}<select id="change-reason">${REASONS().map((_, code) => `<option value="${code}">${esc(reasonText(code))}</option>`).join('')}</select></label>
        <div id="change-confirm"></div>
        <div class="buttons"><button type="submit" id="change-submit">${esc(t('Apply'))}</button><button type="button" class="secondary" id="change-cancel">${esc(t('Cancel'))}</button></div>
        <div id="change-progress"></div><div id="change-message"></div>
      </form>`;
    const form = $('#change-form');
    let confirmed = false;
    const unconfirm = () => { confirmed = false; $('#change-confirm').innerHTML = ''; $('#change-submit').textContent = t('Apply'); };
    $('#change-action').addEventListener('change', unconfirm);
    $('#change-reason').addEventListener('change', unconfirm); // the confirmation names the reason: choose, then confirm
    $('#change-cancel').addEventListener('click', () => {
      where.innerHTML = '';
      const back = document.querySelector(`.change-status[data-id="${id}"]`);
      if (back) back.focus();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const action = $('#change-action').value;
      const reason = Number($('#change-reason').value);
      if (action === 'revoke' && !confirmed) {
        $('#change-confirm').innerHTML = `<p class="outcome refused" id="revoke-warning" role="alert">${esc(t('Revoking is final: the certificate can never be valid again. Press "Yes, revoke" to revoke it for the reason "{reason}".', { reason: reasonText(reason) }))}</p>`;
        $('#change-submit').textContent = t('Yes, revoke');
        confirmed = true;
        $('#change-submit').focus();
        return;
      }
      $('#change-submit').disabled = true;
      $('#change-message').innerHTML = '';
      const step = progress($('#change-progress'), t('Progress of the transaction'));
      step('sent');
      try {
        const changed = await call(`/certificates/${id}/${action}`, { method: 'POST', body: { reason } });
        step('mined', { block: formatNumber(changed.block_number) });
        const indexed = await untilIndexed(changed.tx_hash);
        if (indexed) step('indexed');
        $('#change-message').innerHTML = `<p class="outcome done" id="change-done" role="status">${esc(ACTIONS[action].done())}</p>${indexed ? '' : notIndexedYet(changed.block_number)}`;
        $('#change-confirm').innerHTML = '';
        $('#change-submit').hidden = true;
        $('#change-cancel').textContent = t('Close');
        await loadList();
      } catch (error) {
        $('#change-progress').innerHTML = '';
        $('#change-message').innerHTML = refusal(error);
        $('#change-submit').disabled = false;
      }
    });
    $('#change-action').focus();
  }

  window.consolePage = consolePage;
  window.originalsZip = { storedZip, crc32 }; // for the tests of the ZIP writer
})();
