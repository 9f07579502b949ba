// Originals web page, the consortium's write side: connect a browser wallet, apply, propose, vote and execute.
// Every action goes the same way: POST /actions/prepare answers the EIP-712 typed data (the registry's nonce for the
// signer and a deadline), the wallet signs it (eth_signTypedData_v4), and the page posts {typed_data, signature} to
// the action's route, where the consortium's relayer sends it and pays the gas. The page talks to the wallet only
// through the standard EIP-1193 provider (window.ethereum): it never sees, asks for or stores a private key.
// Loaded after app.js and uses its helpers ($, esc, html, api, named, party, when, TYPES, ...); texts through t() (i18n.js).
'use strict';

const ZERO_HASH = '0x' + '0'.repeat(64);
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const USER_REJECTED = 4001; // EIP-1193: the user rejected the request
const INDEX_WAIT_MS = 30000;
const PROPOSABLE = [
  'ADMIT', 'SUSPEND', 'REINSTATE', 'EXPEL', 'GRANT_RIGHTS', 'WITHDRAW_RIGHTS', 'CHANGE_DETAILS', 'SET_COMPROMISED',
  'REVOKE_CERTIFICATE', 'LIFT_CERTIFICATE_SUSPENSION',
];
const WITH_RIGHTS = new Set(['ADMIT', 'GRANT_RIGHTS', 'WITHDRAW_RIGHTS']);
const WITH_CUTOFF = new Set(['EXPEL', 'SET_COMPROMISED']); // EXPEL: optional; SET_COMPROMISED: required
const DECISIONS = new Set(['REVOKE_CERTIFICATE', 'LIFT_CERTIFICATE_SUSPENSION']); // on a certificate, not a partner
const RIGHTS = [['ISSUER', 1, t('may issue certificates')], ['COUNCIL', 2, t('may propose and vote in the council')]];

const wallet = { account: null, chainId: null, watcher: null };

// -- the wallet -----------------------------------------------------------------------------------------------------

// A refusal to show in the page: `text` in plain words; `code` the registry's error name, or the wallet's error code.
class Refusal extends Error {
  constructor(text, code) { super(text); this.code = code || null; }
}

function provider() { return window.ethereum || null; }

async function ask(method, params) {
  const p = provider();
  if (!p) throw new Refusal(t('No browser wallet was found. Install a wallet that supports the standard EIP-1193 interface (a browser extension), then reload this page to sign with your own key.'));
  try {
    return await p.request(params === undefined ? { method } : { method, params });
  } catch (error) {
    if (error && error.code === USER_REJECTED) throw new Refusal(method === 'eth_signTypedData_v4' ? t('You rejected the signature in your wallet: nothing was signed and nothing was sent.') : t('You declined the request in your wallet.'), USER_REJECTED);
    throw new Refusal(t('Your wallet could not do this: {reason}.', { reason: error && error.message ? error.message : t('no reason given') }), error && error.code);
  }
}

function showWallet() {
  const area = $('#wallet');
  if (!area) return;
  if (wallet.account) {
    area.innerHTML = `<span class="muted">${esc(t('Wallet'))}</span> <code id="wallet-account" title="${esc(t('the connected account'))}">${esc(wallet.account)}</code>${wallet.chainId === null ? '' : ` <span class="muted" id="wallet-chain">${esc(t('chain {id}', { id: wallet.chainId }))}</span>`}`;
  } else {
    area.innerHTML = `<button type="button" class="secondary" id="connect">${esc(t('Connect wallet'))}</button>`;
    $('#connect').addEventListener('click', () => connectWallet().catch(walletMessage));
  }
}

function walletMessage(error) {
  const box = $('#wallet-message');
  if (!box) return;
  box.textContent = error ? error.message : '';
  box.hidden = !error;
}

async function useAccounts(accounts) {
  wallet.account = accounts && accounts.length ? String(accounts[0]).toLowerCase() : null;
  wallet.chainId = wallet.account ? parseInt(await ask('eth_chainId'), 16) : null;
  showWallet();
  if (wallet.watcher) wallet.watcher();
}

async function connectWallet() {
  walletMessage(null);
  await useAccounts(await ask('eth_requestAccounts'));
  if (!wallet.account) throw new Refusal(t('Your wallet did not share an account with this page.'));
  return wallet.account;
}

// On load: an account the wallet already shares with this page (eth_accounts never prompts), and the wallet's events.
async function restoreWallet() {
  showWallet();
  const p = provider();
  if (!p) return;
  if (typeof p.on === 'function') {
    p.on('accountsChanged', (accounts) => useAccounts(accounts).catch(walletMessage));
    p.on('chainChanged', (chainId) => { wallet.chainId = parseInt(chainId, 16); showWallet(); });
  }
  try { await useAccounts(await p.request({ method: 'eth_accounts' })); } catch (e) { /* not shared yet: Connect asks */ }
}

// -- prepare, sign, send --------------------------------------------------------------------------------------------

async function postJson(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Refusal(plainProblem(answer, response.status), answer.error);
  return answer;
}

// Prepare `action` for the connected account, check the wallet's chain against the registry's, have the wallet sign.
async function signAction(action, fields, progress) {
  const signer = wallet.account || await connectWallet();
  progress(t('Preparing the action…'));
  const prepared = await postJson('/actions/prepare', { action, signer, ...fields });
  const typed = prepared.typed_data;
  const chainId = parseInt(await ask('eth_chainId'), 16);
  if (chainId !== Number(typed.domain.chainId)) {
    throw new Refusal(t('Your wallet is on chain {wallet}, but this consortium\'s registry is on chain {registry}: switch your wallet to chain {registry}, then try again. Nothing was signed or sent.', { wallet: chainId, registry: typed.domain.chainId }));
  }
  progress(t('Sign the action in your wallet…'));
  const signature = await ask('eth_signTypedData_v4', [signer, JSON.stringify(typed)]);
  return { typed_data: typed, signature };
}

// Sign and send: the relayer answers once the transaction is mined; then wait until the index has that block.
async function relayAction(action, fields, path, progress, proof = []) {
  const body = await signAction(action, fields, progress);
  if (proof.length) body.proof = proof;
  progress(t('Sending it through the consortium’s relayer…'));
  const answer = await postJson(path, body);
  progress(t('Mined in block {block}; waiting for the index to reach it…', { block: answer.block_number }));
  await untilIndexed(answer.block_number);
  return answer;
}

async function untilIndexed(block) {
  const started = Date.now();
  while (Date.now() - started < INDEX_WAIT_MS) {
    const page = await api('/partners?limit=1');
    if (page.indexed_block !== null && page.indexed_block >= block) return;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  throw new Refusal(t('The transaction is in block {block}, but the index has not reached it yet: reload this page in a moment.', { block }));
}

function mined(answer) {
  return html(t('block {block}, transaction {tx}'), { block: esc(answer.block_number), tx: `<code>${esc(answer.tx_hash)}</code>` });
}

// -- refusals in plain words ----------------------------------------------------------------------------------------

const who = (address) => (address && wallet.account && String(address).toLowerCase() === wallet.account ? t('your account {address}', { address }) : t('the account {address}', { address }));
const statusName = (n) => { const code = ['NONE', ...STATUSES][Number(n)]; return code ? named(STATUS_NAMES, code).toLowerCase() : t('status {n}', { n }); };
const REFUSALS = {
  PartnerRegistryNotCouncil: (a) => t('{who} is not an active council member: only active council members can propose and vote.', { who: who(a.account) }),
  PartnerRegistryAlreadyVoted: (a) => t('{who} has already voted on proposal {id}: each council member votes once.', { who: who(a.voter), id: a.proposalId }),
  PartnerRegistryAlreadyRegistered: (a) => t('{who} is already registered ({status}): an account applies once.', { who: who(a.account), status: statusName(a.status) }),
  PartnerRegistryInvalidStatus: (a) => t('This cannot be done while {account} is {status}.', { account: a.account, status: statusName(a.status) }),
  PartnerRegistryInvalidRights: () => t('Those rights are not valid for this decision: choose the issuer right, the council right or both.'),
  PartnerRegistryRightsUnchanged: (a) => t('{account} already has exactly those rights: the decision would change nothing.', { account: a.account }),
  PartnerRegistryLastCouncilMember: (a) => t('{account} is the last active council member: the consortium cannot be left without a council.', { account: a.account }),
  PartnerRegistryEmptyDisplayName: () => t('The name cannot be empty.'),
  PartnerRegistryCouncilFull: () => t('The council has as many members as the registry allows.'),
  PartnerRegistryUnknownProposal: (a) => t('There is no proposal {id}.', { id: a.proposalId }),
  PartnerRegistryProposalExpired: (a) => t('Proposal {id} passed its deadline ({deadline}): it can no longer be voted on or carried out.', { id: a.proposalId, deadline: when(Number(a.deadline)) }),
  PartnerRegistryProposalAlreadyExecuted: (a) => t('Proposal {id} was already carried out.', { id: a.proposalId }),
  PartnerRegistryQuorumNotReached: (a) => t('Proposal {id} has {yes} counted yes votes of the {required} it needs: it cannot be carried out yet.', { id: a.proposalId, yes: formatNumber(a.yesVotes), required: formatNumber(a.required) }),
  SignedActionExpired: (a) => t('The signature\'s deadline ({deadline}) has passed: sign the action again.', { deadline: when(Number(a.deadline)) }),
  SignedActionInvalidSignature: () => t('The registry does not accept this signature: sign the action again.'),
  InvalidAccountNonce: () => t('Another action of this account was carried out since this one was prepared: sign it again.'),
};

function plainProblem(problem, status) {
  const explain = problem.error && REFUSALS[problem.error];
  if (explain) return t('The registry refuses: {why} Nothing was sent.', { why: explain(problem.arguments || {}) });
  if (status === 429) return t('The consortium\'s relayer is busy (rate limited): {detail}.', { detail: problem.detail || t('try again later') });
  if (problem.error) return t('The registry refuses: {detail}. Nothing was sent.', { detail: problem.detail });
  return t('{title}: {detail}.', { title: problem.title || t('HTTP error {status}', { status }), detail: problem.detail || t('the server refused the request') });
}

// The outcome area of a form or of the proposal's actions: progress, success or refusal, announced to screen readers.
function outcome(box) {
  return {
    progress: (text) => { box.className = 'outcome muted'; box.textContent = text; },
    done: (html) => { box.className = 'outcome done'; box.innerHTML = html; },
    refused: (error) => {
      box.className = 'outcome refused';
      const code = error.code && typeof error.code === 'string' ? `<br><span class="why">${html(t('the registry\'s error: {code}'), { code: `<code id="refusal-code">${esc(error.code)}</code>` })}</span>` : '';
      box.innerHTML = `<span id="refusal">${esc(error.message)}</span>${code}`;
    },
  };
}

// -- apply ----------------------------------------------------------------------------------------------------------

function applyPage() {
  pageTitle(t('apply to join the consortium'));
  view().innerHTML = `<h1>${esc(t('Apply to join the consortium'))}</h1>
    <p class="muted">${esc(t('You sign your application in your own browser wallet; the consortium’s relayer sends it and pays the fee. The council then decides on your admission by vote. You can follow it on your partner page.'))}</p>
    <form id="apply-form" class="stack noprint">
      <label>${esc(t('Name (as verifiers will see it)'))}<input type="text" name="displayName" required maxlength="200" autocomplete="organization"></label>
      <label>${esc(t('Web domain'))}<input type="text" name="domain" required maxlength="253" placeholder="mill.example" spellcheck="false"></label>
      <label>${esc(t('Organisation type'))}<select name="orgType" required>${TYPES.map((type, i) => `<option value="${i}">${esc(named(TYPE_NAMES, type))}</option>`).join('')}</select></label>
      <label>${esc(t('Metadata hash (optional)'))}<input type="text" name="metadataHash" placeholder="${esc(t('0x… (64 hex digits)'))}" pattern="0x[0-9a-fA-F]{64}" spellcheck="false"></label>
      <p><button type="submit" id="apply">${esc(t('Sign and apply'))}</button></p>
    </form>
    <section id="outcome" class="outcome" aria-live="polite"></section>`;
  const form = $('#apply-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const fields = {
      orgType: Number(data.get('orgType')),
      displayName: String(data.get('displayName')).trim(),
      domain: String(data.get('domain')).trim().toLowerCase(),
      metadataHash: String(data.get('metadataHash')).trim().toLowerCase() || ZERO_HASH,
    };
    const out = outcome($('#outcome'));
    $('#apply').disabled = true;
    try {
      const answer = await relayAction('Apply', fields, '/applications', out.progress);
      const address = answer.signer;
      const governance = await api(`/partners/${address}/governance`);
      const link = `<a href="/p/${esc(address)}" id="partner-link">${esc(t('your partner page'))}</a>`;
      out.done(`<p id="applied">${html(t('Your application was recorded on chain in {mined}. See {link}.'), { mined: mined(answer), link })}</p>
        <h2>${esc(t('Your application and the proposals about it'))}</h2>
        <h3>${esc(t('Applications'))}</h3>${applicationsTable(governance.applications)}
        <h3>${esc(t('Proposals about you'))}</h3>${proposalsTable(governance.proposals_about, t('None yet: a council member proposes your admission.'))}`);
    } catch (error) {
      out.refused(error);
    } finally {
      $('#apply').disabled = false;
    }
  });
}

// -- propose --------------------------------------------------------------------------------------------------------

// The signed action and its fields for a decision of kind `chosen` from the form's data, and the document's proof for
// a certificate decision; a Refusal (shown in the page, nothing signed) when a field the decision needs is missing.
function proposalFields(chosen, data) {
  const text = (name) => String(data.get(name) || '').trim();
  const subject = text('subject').toLowerCase();
  if (DECISIONS.has(chosen)) {
    const id = text('certificate');
    const leaf = text('leaf');
    const proof = text('proof').split(/\s+/).filter(Boolean);
    if (!HEX32.test(id)) throw new Refusal(t('Give the certificate id: 0x and 64 hex digits. Nothing was signed.'));
    if (leaf && !HEX32.test(leaf)) throw new Refusal(t('A document\'s leaf is 0x and 64 hex digits. Nothing was signed.'));
    if (proof.some((step) => !HEX32.test(step))) throw new Refusal(t('Each proof step is 0x and 64 hex digits, one per line. Nothing was signed.'));
    const fields = { kind: KINDS.indexOf(chosen), id: id.toLowerCase(), leaf: (leaf || `0x${'0'.repeat(64)}`).toLowerCase(), reason: Number(text('reason') || 0) };
    return ['ProposeCertificateDecision', fields, leaf ? proof.map((step) => step.toLowerCase()) : []];
  }
  if (chosen === 'CHANGE_DETAILS') {
    const metadata = text('metadataHash');
    if (!text('displayName')) throw new Refusal(t('The new details need a name. Nothing was signed.'));
    if (metadata && !HEX32.test(metadata)) throw new Refusal(t('A metadata hash is 0x and 64 hex digits. Nothing was signed.'));
    const fields = { subject, orgType: Number(text('orgType')), displayName: text('displayName'), domain: text('domain'), metadataHash: (metadata || `0x${'0'.repeat(64)}`).toLowerCase() };
    return ['ProposeDetails', fields, []];
  }
  const rights = WITH_RIGHTS.has(chosen) ? data.getAll('rights').reduce((bits, bit) => bits | Number(bit), 0) : 0;
  let cutoff = 0;
  if (WITH_CUTOFF.has(chosen) && text('cutoff')) cutoff = Math.floor(new Date(text('cutoff')).getTime() / 1000);
  if (chosen === 'SET_COMPROMISED' && !cutoff) throw new Refusal(t('Say from when the key is compromised. Nothing was signed.'));
  return ['Propose', { kind: KINDS.indexOf(chosen), subject, rights, cutoff }, []];
}

function proposePage() {
  pageTitle(t('propose a council decision'));
  const params = new URLSearchParams(location.search);
  const kind = PROPOSABLE.includes(params.get('kind')) ? params.get('kind') : 'ADMIT';
  const subject = ADDRESS.test(params.get('subject') || '') ? params.get('subject') : '';
  const hex64 = esc(t('0x… (64 hex digits)'));
  const types = TYPES.map((type, i) => `<option value="${i}">${esc(named(TYPE_NAMES, type))}</option>`).join('');
  view().innerHTML = `<h1>${esc(t('Propose a council decision'))}</h1>
    <p class="muted">${esc(t('For council members: you sign the proposal in your wallet, and it counts as your yes vote. It passes with the votes of a majority of the active council before its deadline.'))}</p>
    <form id="propose-form" class="stack noprint">
      <label>${esc(t('Decision'))}<select name="kind" id="kind">${PROPOSABLE.map((k) => `<option value="${k}"${k === kind ? ' selected' : ''}>${esc(named(KIND_NAMES, k))}</option>`).join('')}</select></label>
      <label>${esc(t('Partner’s address'))}<input type="text" name="subject" id="subject" required pattern="0x[0-9a-fA-F]{40}" placeholder="${esc(t('0x… (40 hex digits)'))}" spellcheck="false" value="${esc(subject)}" aria-describedby="subject-name"></label>
      <p class="muted" id="subject-name" aria-live="polite"></p>
      <fieldset id="rights"><legend>${esc(t('Rights (admit, grant, withdraw)'))}</legend>
        ${RIGHTS.map(([name, bit, what]) => `<label class="check"><input type="checkbox" name="rights" value="${bit}"${name === 'ISSUER' ? ' checked' : ''}> ${esc(named(RIGHT_NAMES, name))}: ${esc(what)}</label>`).join('')}
      </fieldset>
      <fieldset id="cutoff-fields"><legend>${esc(t('Key compromised from (expel: optional; set compromised: required)'))}</legend>
        <label>${esc(t('Date and time, your time zone'))}<input type="datetime-local" name="cutoff" id="cutoff" step="1"></label>
        <p class="muted">${esc(t('Certificates the partner issued from then on are invalid; earlier ones stay valid. Never in the future.'))}</p>
      </fieldset>
      <fieldset id="details-fields"><legend>${esc(t('New details (change details)'))}</legend>
        <label>${esc(t('Name shown to verifiers'))}<input type="text" name="displayName" id="details-name"></label>
        <label>${esc(t('Web domain'))}<input type="text" name="domain" id="details-domain" placeholder="${esc(t('e.g. mill.example'))}"></label>
        <label>${esc(t('Organisation type'))}<select name="orgType" id="details-type">${types}</select></label>
        <label>${esc(t('Metadata hash (optional)'))}<input type="text" name="metadataHash" id="details-metadata" pattern="0x[0-9a-fA-F]{64}" placeholder="${hex64}" spellcheck="false"></label>
      </fieldset>
      <fieldset id="decision-fields"><legend>${esc(t('The certificate (revoke, lift a suspension)'))}</legend>
        <label>${esc(t('Certificate id'))}<input type="text" name="certificate" id="certificate" pattern="0x[0-9a-fA-F]{64}" placeholder="${hex64}" spellcheck="false"></label>
        <label>${esc(t('One document only: its leaf (optional)'))}<input type="text" name="leaf" id="leaf" pattern="0x[0-9a-fA-F]{64}" placeholder="${esc(t('empty: the whole certificate'))}" spellcheck="false"></label>
        <label>${esc(t('Its Merkle proof (one hash per line)'))}<textarea name="proof" id="proof" rows="3" spellcheck="false"></textarea></label>
        <label>${esc(t('Reason code'))}<input type="number" name="reason" id="reason" min="0" max="65535" value="0"></label>
      </fieldset>
      <p><button type="submit" id="propose">${esc(t('Sign and propose'))}</button></p>
    </form>
    <section id="outcome" class="outcome" aria-live="polite"></section>`;
  const form = $('#propose-form');
  // Only the fields the chosen decision takes are enabled (a disabled fieldset is skipped by the keyboard and by
  // FormData); a certificate decision is about a certificate, so the partner's address is not asked for.
  const fieldsShown = () => {
    const chosen = $('#kind').value;
    $('#rights').disabled = !WITH_RIGHTS.has(chosen);
    $('#cutoff-fields').disabled = !WITH_CUTOFF.has(chosen);
    $('#details-fields').disabled = chosen !== 'CHANGE_DETAILS';
    $('#decision-fields').disabled = !DECISIONS.has(chosen);
    $('#subject').disabled = DECISIONS.has(chosen);
    $('#subject').required = !DECISIONS.has(chosen);
  };
  $('#kind').addEventListener('change', fieldsShown);
  fieldsShown();
  // Name the partner the address belongs to, so a council member sees whom the decision is about before signing.
  const nameSubject = async () => {
    const address = $('#subject').value.trim();
    if (!ADDRESS.test(address)) { $('#subject-name').textContent = ''; return; }
    try {
      const p = await api(`/partners/${address.toLowerCase()}`);
      const rights = p.rights.map((r) => named(RIGHT_NAMES, r)).join(', ');
      $('#subject-name').textContent = t('{name} ({type}, {domain}): {status}, rights: {rights}.', {
        name: p.display_name, type: named(TYPE_NAMES, p.org_type), domain: p.domain,
        status: named(STATUS_NAMES, p.status).toLowerCase(), rights: (LANG === 'en' ? rights.toLowerCase() : rights) || t('none'),
      });
    } catch (e) {
      $('#subject-name').textContent = t('No partner or applicant has this address (as indexed).');
    }
  };
  $('#subject').addEventListener('change', nameSubject);
  nameSubject();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const chosen = String(data.get('kind'));
    let action;
    let fields;
    let proof = [];
    try {
      [action, fields, proof] = proposalFields(chosen, data);
    } catch (error) {
      outcome($('#outcome')).refused(error);
      return;
    }
    const out = outcome($('#outcome'));
    $('#propose').disabled = true;
    try {
      const answer = await relayAction(action, fields, '/proposals', out.progress, proof);
      history.pushState({}, '', `${PROPOSALS}/${answer.proposal_id}`);
      stopTicking();
      await proposalPage(answer.proposal_id, html(t('Your proposal {id} was recorded in {mined}; it counts as your yes vote.'), { id: esc(answer.proposal_id), mined: mined(answer) }));
    } catch (error) {
      out.refused(error);
      $('#propose').disabled = false;
    }
  });
}

// -- vote and execute on a proposal's page --------------------------------------------------------------------------

// The buttons follow what the index says: voting while the proposal is open and the account has not voted; executing
// once it has its majority. Whether the account is active council is only advice here (the index may be a block
// behind the chain): the registry decides, and the relayer's simulation refuses a vote it would revert, sending nothing.
let actionsTurn = 0; // the latest rendering of the actions wins (the wallet may change while one waits for the API)

async function proposalActions(p, notice) {
  const turn = ++actionsTurn;
  let member = null;
  if (wallet.account) {
    try { member = await api(`/partners/${wallet.account}`); } catch (e) { member = null; }
  }
  const area = $('#actions');
  if (!area || turn !== actionsTurn) return;
  const council = member !== null && member.status === 'ACTIVE' && member.rights.includes('COUNCIL');
  const voted = wallet.account ? p.votes.find((v) => v.voter === wallet.account) : undefined;
  const open = p.status === 'open';
  let hint;
  if (!open) hint = t('This proposal is no longer open: nothing more can be done with it.');
  else if (!wallet.account) hint = t('Connect your wallet to vote (council members) or to carry out a proposal that has its majority (anyone).');
  else if (voted) hint = voted.support ? t('Your account has voted yes on this proposal.') : t('Your account has voted no on this proposal.');
  else if (!council) hint = t('Your account {account} is not an active council member: the registry will refuse its vote. Anyone may carry out a proposal once it has its majority.', { account: wallet.account });
  else hint = t('You are an active council member and have not voted on this proposal yet.');
  const canVote = open && wallet.account !== null && !voted;
  const canExecute = open && wallet.account !== null && p.executable_now;
  area.innerHTML = `<h2>${esc(t('Vote or execute'))}</h2>
    <p id="action-hint">${esc(hint)}</p>
    <p class="buttons"><button type="button" id="vote-yes"${canVote ? '' : ' disabled'}>${esc(t('Vote yes'))}</button>
      <button type="button" id="vote-no" class="secondary"${canVote ? '' : ' disabled'}>${esc(t('Vote no'))}</button>
      <button type="button" id="execute"${canExecute ? '' : ' disabled'}>${esc(t('Execute'))}</button></p>
    <section id="outcome" class="outcome" aria-live="polite" tabindex="-1"></section>`;
  const out = outcome($('#outcome'));
  if (notice) {
    out.done(notice);
    $('#outcome').focus(); // the view was drawn again: keep a keyboard user at the outcome of what they did
  }
  const act = async (action, fields, path, said) => {
    area.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const answer = await relayAction(action, { proposalId: p.proposal_id, ...fields }, path, out.progress);
      await proposalPage(p.proposal_id, html(said, { mined: mined(answer) }));
    } catch (error) {
      out.refused(error);
      area.querySelectorAll('button').forEach((b) => { b.disabled = (b.id === 'execute' ? !canExecute : !canVote); });
    }
  };
  const base = `/proposals/${p.proposal_id}`;
  $('#vote-yes').addEventListener('click', () => act('Vote', { support: true }, `${base}/votes`, t('Your yes vote was recorded in {mined}.')));
  $('#vote-no').addEventListener('click', () => act('Vote', { support: false }, `${base}/votes`, t('Your no vote was recorded in {mined}.')));
  $('#execute').addEventListener('click', () => act('Execute', {}, `${base}/execute`, t('Proposal {id} was carried out in {mined}.', { id: p.proposal_id })));
}

document.addEventListener('DOMContentLoaded', restoreWallet);
