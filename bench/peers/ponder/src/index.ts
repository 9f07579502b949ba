// Indexing functions: the registries' events into the tables of ponder.schema.ts, following ledger/indexer/project.py
// (the same rows, the same values), written with Ponder's Store API as its documentation recommends.
import { ponder } from "ponder:registry";
import {
  certificateHistory,
  certificates,
  documentStatus,
  documents,
  partnerHistory,
  partners,
  proposals,
  votes,
} from "ponder:schema";
import { encodeAbiParameters, keccak256 } from "viem";

const ZERO_HASH = `0x${"00".repeat(32)}` as const;
const APPLIED = 1;
const ACTIVE = 2;
const ISSUER = 1;
const VALID = 0;
const SUSPENDED = 1;
const REVOKED = 2;

function detailsHash(orgType: number, displayName: string, domain: string, metadataHash: `0x${string}`) {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint8" }, { type: "string" }, { type: "string" }, { type: "bytes32" }],
      [orgType, displayName, domain, metadataHash],
    ),
  );
}

// ------------------------------------------------------------------------------------------------- partners
ponder.on("PartnerRegistry:PartnerRegistered", async ({ event, context }) => {
  const { account, orgType, displayName, domain, metadataHash } = event.args as any;
  const details = { orgType, displayName, domain, metadataHash };
  await context.db
    .insert(partners)
    .values({
      address: account,
      ...details,
      detailsHash: detailsHash(orgType, displayName, domain, metadataHash),
      status: 0,
      rights: 0,
      registeredBlock: event.block.number,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate({
      ...details,
      detailsHash: detailsHash(orgType, displayName, domain, metadataHash),
      registeredBlock: event.block.number,
      updatedBlock: event.block.number,
    });
});

ponder.on("PartnerRegistry:PartnerDetailsChanged", async ({ event, context }) => {
  const { account, orgType, displayName, domain, metadataHash } = event.args as any;
  const partner = await context.db.find(partners, { address: account });
  if (partner === null) return;
  await context.db.update(partners, { address: account }).set({
    orgType,
    displayName,
    domain,
    metadataHash,
    detailsHash: detailsHash(orgType, displayName, domain, metadataHash),
    updatedBlock: event.block.number,
  });
});

async function partnerChanged(
  name: string,
  event: any,
  context: any,
  change: (row: any) => Record<string, unknown>,
  at: bigint,
  proposalId: bigint,
) {
  const account = event.args.account;
  const partner = await context.db.find(partners, { address: account });
  if (partner === null) return; // an account that never registered: the contract cannot emit this
  const row = await context.db
    .update(partners, { address: account })
    .set({ ...change(partner), updatedBlock: event.block.number });
  await context.db.insert(partnerHistory).values({
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
    address: account,
    blockNumber: event.block.number,
    at,
    event: name,
    status: row.status,
    rights: row.rights,
    activeIssuer: row.status === ACTIVE && (row.rights & ISSUER) !== 0,
    proposalId: proposalId === 0n ? null : proposalId,
  });
}

ponder.on("PartnerRegistry:PartnerStatusChanged", async ({ event, context }) => {
  const { previous, status, proposalId, at } = event.args as any;
  await partnerChanged(
    "PartnerStatusChanged",
    event,
    context,
    (partner) => ({
      status,
      joinedAt: previous === APPLIED && status === ACTIVE ? BigInt(at) : partner.joinedAt,
    }),
    BigInt(at),
    proposalId,
  );
});

ponder.on("PartnerRegistry:PartnerRightsChanged", async ({ event, context }) => {
  const { rights, proposalId, at } = event.args as any;
  await partnerChanged("PartnerRightsChanged", event, context, () => ({ rights }), BigInt(at), proposalId);
});

ponder.on("PartnerRegistry:PartnerCompromised", async ({ event, context }) => {
  const { compromisedAfter, proposalId } = event.args as any;
  await partnerChanged(
    "PartnerCompromised",
    event,
    context,
    () => ({ compromisedAfter: BigInt(compromisedAfter) }),
    BigInt(compromisedAfter),
    proposalId,
  );
});

// ------------------------------------------------------------------------------------------------ proposals
ponder.on("PartnerRegistry:ProposalCreated", async ({ event, context }) => {
  const a = event.args as any;
  await context.db.insert(proposals).values({
    proposalId: a.proposalId,
    kind: a.kind,
    subject: a.subject,
    proposer: a.proposer,
    rights: a.rights,
    compromisedAfter: BigInt(a.compromisedAfter),
    deadline: BigInt(a.deadline),
    target: a.target,
    leaf: a.leaf,
    reason: a.reason,
    councilAtProposal: a.councilAtProposal,
    yesVotes: 0,
    noVotes: 0,
    executed: false,
    createdBlock: event.block.number,
    txHash: event.transaction.hash,
  });
});

ponder.on("PartnerRegistry:DetailsProposed", async ({ event, context }) => {
  const { proposalId, orgType, displayName, domain, metadataHash } = event.args as any;
  await context.db.update(proposals, { proposalId }).set({
    proposedOrgType: orgType,
    proposedDisplayName: displayName,
    proposedDomain: domain,
    proposedMetadataHash: metadataHash,
  });
});

ponder.on("PartnerRegistry:VoteCast", async ({ event, context }) => {
  const { proposalId, voter, support, yesVotes, noVotes } = event.args as any;
  await context.db.update(proposals, { proposalId }).set({ yesVotes, noVotes });
  await context.db
    .insert(votes)
    .values({ proposalId, voter, support, blockNumber: event.block.number, txHash: event.transaction.hash });
});

ponder.on("PartnerRegistry:ProposalExecuted", async ({ event, context }) => {
  const { proposalId, executor, countedVotes, required } = event.args as any;
  await context.db.update(proposals, { proposalId }).set({
    executed: true,
    executedBy: executor,
    executedBlock: event.block.number,
    countedVotes,
    required,
  });
});

// ---------------------------------------------------------------------------------------------- certificates
ponder.on("CertificateRegistry:CertificateIssued", async ({ event, context }) => {
  const { id, issuer, fingerprint, root, issuedAt, validUntil } = event.args as any;
  const single = fingerprint !== ZERO_HASH;
  await context.db.insert(certificates).values({
    id,
    root,
    issuer,
    fingerprint: single ? fingerprint : null,
    mode: single ? "single" : "batch",
    issuedAt: BigInt(issuedAt),
    validUntil: BigInt(validUntil),
    status: VALID,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    txHash: event.transaction.hash,
  });
  if (single) {
    // a single certificate's one document is its root, published with it
    await context.db
      .insert(documents)
      .values({ certificateId: id, leaf: root, fingerprint, blockNumber: event.block.number })
      .onConflictDoNothing();
  }
  await context.db.insert(certificateHistory).values({
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
    certificateId: id,
    action: "issued",
    actor: issuer,
    at: BigInt(issuedAt),
    blockNumber: event.block.number,
  });
});

ponder.on("CertificateRegistry:DocumentPublished", async ({ event, context }) => {
  const { leaf, fingerprint, id } = event.args as any;
  await context.db
    .insert(documents)
    .values({ certificateId: id, leaf, fingerprint, blockNumber: event.block.number })
    .onConflictDoNothing();
  const certificate = await context.db.find(certificates, { id });
  if (certificate !== null && certificate.mode !== "batch_public") {
    await context.db.update(certificates, { id }).set({ mode: "batch_public" });
  }
});

async function statusChanged(event: any, context: any, status: number, action: string) {
  const { id, leaf, by, reason, at, byCouncil } = event.args;
  const change = {
    status,
    statusReason: reason,
    statusAt: BigInt(at),
    statusBy: by,
    statusByCouncil: byCouncil,
  };
  const whole = leaf === ZERO_HASH;
  if (whole) {
    await context.db.update(certificates, { id }).set(change);
  } else {
    await context.db
      .insert(documentStatus)
      .values({ certificateId: id, leaf, ...change, blockNumber: event.block.number })
      .onConflictDoUpdate(change); // a leaf keeps the block of its first change
  }
  await context.db.insert(certificateHistory).values({
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
    certificateId: id,
    leaf: whole ? null : leaf,
    action,
    actor: by,
    reason,
    byCouncil,
    at: BigInt(at),
    blockNumber: event.block.number,
  });
}

ponder.on("CertificateRegistry:CertificateRevoked", async ({ event, context }) => {
  await statusChanged(event, context, REVOKED, "revoked");
});

ponder.on("CertificateRegistry:CertificateSuspended", async ({ event, context }) => {
  await statusChanged(event, context, SUSPENDED, "suspended");
});

ponder.on("CertificateRegistry:CertificateReinstated", async ({ event, context }) => {
  await statusChanged(event, context, VALID, "reinstated");
});
