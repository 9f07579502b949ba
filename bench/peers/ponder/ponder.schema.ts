// The tables of ledger/db/schema.py that the registries' events derive, as Ponder tables (same keys, same columns,
// same read-path indexes). Ponder keeps its own raw log mirror (the ponder_sync schema), the peer of our chain_events.
import { index, onchainTable, primaryKey } from "ponder";

export const partners = onchainTable(
  "partners",
  (t) => ({
    address: t.hex().primaryKey(),
    orgType: t.integer().notNull(),
    displayName: t.text().notNull(),
    domain: t.text().notNull(),
    metadataHash: t.hex().notNull(),
    detailsHash: t.hex().notNull(),
    status: t.integer().notNull(),
    rights: t.integer().notNull(),
    joinedAt: t.bigint(),
    compromisedAfter: t.bigint(),
    registeredBlock: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({
    orgTypeStatusIdx: index().on(table.orgType, table.status),
    statusIdx: index().on(table.status),
  }),
);

export const partnerHistory = onchainTable(
  "partner_history",
  (t) => ({
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    address: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    at: t.bigint().notNull(),
    event: t.text().notNull(),
    status: t.integer().notNull(),
    rights: t.integer().notNull(),
    activeIssuer: t.boolean().notNull(),
    proposalId: t.bigint(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.txHash, table.logIndex] }),
    addressAtIdx: index().on(table.address, table.at),
  }),
);

export const proposals = onchainTable("proposals", (t) => ({
  proposalId: t.bigint().primaryKey(),
  kind: t.integer().notNull(),
  subject: t.hex().notNull(),
  proposer: t.hex().notNull(),
  rights: t.integer().notNull(),
  compromisedAfter: t.bigint().notNull(),
  deadline: t.bigint().notNull(),
  target: t.hex().notNull(),
  leaf: t.hex().notNull(),
  reason: t.integer().notNull(),
  councilAtProposal: t.integer().notNull(),
  yesVotes: t.integer().notNull(),
  noVotes: t.integer().notNull(),
  executed: t.boolean().notNull(),
  executedBy: t.hex(),
  executedBlock: t.bigint(),
  countedVotes: t.integer(),
  required: t.integer(),
  proposedOrgType: t.integer(),
  proposedDisplayName: t.text(),
  proposedDomain: t.text(),
  proposedMetadataHash: t.hex(),
  createdBlock: t.bigint().notNull(),
  txHash: t.hex().notNull(),
}));

export const votes = onchainTable(
  "votes",
  (t) => ({
    proposalId: t.bigint().notNull(),
    voter: t.hex().notNull(),
    support: t.boolean().notNull(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.proposalId, table.voter] }) }),
);

export const certificates = onchainTable(
  "certificates",
  (t) => ({
    id: t.hex().primaryKey(),
    root: t.hex().notNull(),
    issuer: t.hex().notNull(),
    fingerprint: t.hex(),
    mode: t.text().notNull(),
    issuedAt: t.bigint().notNull(),
    validUntil: t.bigint().notNull(),
    status: t.integer().notNull(),
    statusReason: t.integer(),
    statusAt: t.bigint(),
    statusBy: t.hex(),
    statusByCouncil: t.boolean(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    txHash: t.hex().notNull(),
  }),
  (table) => ({
    issuerIdx: index().on(table.issuer, table.issuedAt, table.id),
    fingerprintIdx: index().on(table.fingerprint),
    statusIdx: index().on(table.status, table.issuedAt, table.id),
    issuedAtIdx: index().on(table.issuedAt, table.id),
    rootIdx: index().on(table.root),
  }),
);

export const documents = onchainTable(
  "documents",
  (t) => ({
    certificateId: t.hex().notNull(),
    leaf: t.hex().notNull(),
    fingerprint: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.certificateId, table.leaf, table.fingerprint] }),
    fingerprintIdx: index().on(table.fingerprint),
    leafIdx: index().on(table.leaf),
  }),
);

export const documentStatus = onchainTable(
  "document_status",
  (t) => ({
    certificateId: t.hex().notNull(),
    leaf: t.hex().notNull(),
    status: t.integer().notNull(),
    statusReason: t.integer(),
    statusAt: t.bigint(),
    statusBy: t.hex(),
    statusByCouncil: t.boolean(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.certificateId, table.leaf] }) }),
);

export const certificateHistory = onchainTable(
  "certificate_history",
  (t) => ({
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    certificateId: t.hex().notNull(),
    leaf: t.hex(),
    action: t.text().notNull(),
    actor: t.hex().notNull(),
    reason: t.integer(),
    byCouncil: t.boolean(),
    at: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.txHash, table.logIndex] }),
    certificateIdx: index().on(table.certificateId, table.blockNumber, table.logIndex),
  }),
);
