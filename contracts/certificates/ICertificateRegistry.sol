// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IStandingMirror} from "../partners/IStandingMirror.sol";
import {ISignedActions} from "../signing/ISignedActions.sol";

/**
 * @title ICertificateRegistry
 * @notice Certificates of originals. A certificate is the Merkle root over one or more certificate documents
 * (sorted-pair keccak256, as OpenZeppelin's MerkleProof verifies); a single document is a tree of one, whose root
 * is the document's target hash.
 *
 * Certificates are namespaced by issuer: a certificate's id is keccak256(abi.encode(issuer, root)) ({certificateId}),
 * so two issuers can never share, squat or act on each other's certificate, and an id names exactly one certificate.
 *
 * Only hashes are on chain. Revocation, suspension and reinstatement apply to a whole certificate or to one document
 * (leaf) in it, carry a reason code, and never delete anything. Who may change a status (trust model version 2):
 * - the certificate's issuer, only while it is an active issuer with no compromise cut-off: any change, except
 *   lifting a council suspension;
 * - any other active council member: only a reversible hold (suspend), which also turns an issuer's own suspension
 *   into a council suspension;
 * - a council decision (a proposal executed by the partner registry): revoke, or lift any suspension.
 */
interface ICertificateRegistry is IStandingMirror, ISignedActions {
    /// @notice The status of a root or of one leaf. `Valid` is also the status of anything never acted on.
    enum Status {
        Valid,
        Suspended,
        Revoked
    }

    /// @notice The overall answer of {verify}, first failing rule wins in this order.
    enum Verdict {
        Valid,
        NotIssued,
        InvalidProof,
        Revoked,
        Suspended,
        Expired,
        IssuerCompromised
    }

    /// @notice A certificate as stored: one storage slot. `batch` is false for a single certificate (whose only
    /// document is its root) and true for a Merkle batch (whose documents need a non-empty proof).
    struct Certificate {
        address issuer;
        uint40 issuedAt;
        uint40 validUntil;
        bool batch;
    }

    /// @notice The status of a root or a leaf as stored: one storage slot.
    struct StatusRecord {
        Status status;
        bool byCouncil;
        uint16 reason;
        uint48 at;
    }

    /// @notice Everything a verifier needs about (root, leaf, proof), answered in one call.
    struct CertificateState {
        Verdict verdict;
        Certificate certificate;
        bool proofValid;
        bool expired;
        StatusRecord rootStatus;
        StatusRecord leafStatus;
        uint48 issuerCompromisedAfter;
    }

    /**
     * @notice A certificate was issued.
     * @param id The certificate id: keccak256(abi.encode(issuer, root)).
     * @param issuer The issuing partner.
     * @param fingerprint The original's fingerprint for a single certificate (never 0); 0 for batches.
     * @param root The Merkle root; for a single document, its target hash.
     * @param issuedAt The block timestamp.
     * @param validUntil Expiry time (0 = never expires).
     */
    event CertificateIssued(
        bytes32 indexed id,
        address indexed issuer,
        bytes32 indexed fingerprint,
        bytes32 root,
        uint48 issuedAt,
        uint48 validUntil
    );

    /**
     * @notice A document of a batch issued with public fingerprints: certificate `id` publishes `leaf`, which
     * certifies `fingerprint`. The leaf is a topic so a lookup by leaf costs O(answer) on the chain alone. The registry
     * does not check that the leaf is in the root: a verifier checks the proof.
     * @param leaf The document's target hash.
     * @param fingerprint The original's fingerprint.
     * @param id The certificate id.
     */
    event DocumentPublished(bytes32 indexed leaf, bytes32 indexed fingerprint, bytes32 id);

    /**
     * @notice A certificate (`leaf` = 0) or one document was revoked. Final.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param by The issuer, the partner registry for a council decision.
     * @param reason The reason code.
     * @param at The block timestamp.
     * @param byCouncil Whether the council made the change (a council decision).
     */
    event CertificateRevoked(
        bytes32 indexed id,
        bytes32 indexed leaf,
        address indexed by,
        uint16 reason,
        uint48 at,
        bool byCouncil
    );

    /**
     * @notice A certificate (`leaf` = 0) or one document was suspended.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param by The issuer, a council member.
     * @param reason The reason code.
     * @param at The block timestamp.
     * @param byCouncil Whether it is a council member's hold.
     */
    event CertificateSuspended(
        bytes32 indexed id,
        bytes32 indexed leaf,
        address indexed by,
        uint16 reason,
        uint48 at,
        bool byCouncil
    );

    /**
     * @notice A suspension was lifted, by its issuer or by a council decision.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param by The issuer, the partner registry for a council decision.
     * @param reason The reason code.
     * @param at The block timestamp.
     * @param byCouncil Whether a council decision lifted it.
     */
    event CertificateReinstated(
        bytes32 indexed id,
        bytes32 indexed leaf,
        address indexed by,
        uint16 reason,
        uint48 at,
        bool byCouncil
    );

    /**
     * @notice `account` is not an active partner with the issuer right.
     * @param account The caller.
     */
    error CertificateRegistryUnauthorizedIssuer(address account);

    /**
     * @notice `account` is neither the certificate's issuer while an active issuer nor an active council member.
     * @param account The caller.
     * @param id The certificate id.
     */
    error CertificateRegistryUnauthorized(address account, bytes32 id);

    /**
     * @notice A council member acting on another issuer's certificate may only suspend it; revoking it or lifting a
     * council suspension takes a council decision (a proposal).
     * @param account The caller.
     * @param id The certificate id.
     */
    error CertificateRegistryCouncilDecisionRequired(address account, bytes32 id);

    /**
     * @notice Only the partner registry carries out council decisions and writes partners' standing.
     * @param account The caller.
     */
    error CertificateRegistryNotPartnerRegistry(address account);

    /**
     * @notice The root is zero.
     * @param root The root given.
     */
    error CertificateRegistryInvalidRoot(bytes32 root);

    /**
     * @notice A single certificate needs the original's fingerprint (a batch publishes its fingerprints per document).
     * @param fingerprint The fingerprint given.
     */
    error CertificateRegistryInvalidFingerprint(bytes32 fingerprint);

    /**
     * @notice This issuer already issued this root: it has this certificate id.
     * @param id The certificate id.
     */
    error CertificateRegistryAlreadyIssued(bytes32 id);

    /**
     * @notice No certificate has this id.
     * @param id The id given.
     */
    error CertificateRegistryUnknownCertificate(bytes32 id);

    /**
     * @notice The expiry is not after the current block time.
     * @param validUntil The expiry given.
     * @param now_ The block timestamp.
     */
    error CertificateRegistryInvalidExpiry(uint48 validUntil, uint48 now_);

    /**
     * @notice A public batch needs at least two documents and as many fingerprints as leaves.
     * @param leaves The number of leaves given.
     * @param fingerprints The number of fingerprints given.
     */
    error CertificateRegistryInvalidBatch(uint256 leaves, uint256 fingerprints);

    /**
     * @notice The proof does not show `leaf` as a document of certificate `id` (or `leaf` is zero).
     * @param id The certificate id.
     * @param leaf The document given.
     */
    error CertificateRegistryInvalidProof(bytes32 id, bytes32 leaf);

    /**
     * @notice The certificate or document is revoked; nothing can change it any more.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     */
    error CertificateRegistryAlreadyRevoked(bytes32 id, bytes32 leaf);

    /**
     * @notice The certificate or document is already suspended (by its issuer, or by the council for a hold).
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     */
    error CertificateRegistryAlreadySuspended(bytes32 id, bytes32 leaf);

    /**
     * @notice Only a suspended certificate or document can be reinstated.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     */
    error CertificateRegistryNotSuspended(bytes32 id, bytes32 leaf);

    /**
     * @notice The council suspended it, so only a council decision can lift the suspension.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     */
    error CertificateRegistryCouncilSuspension(bytes32 id, bytes32 leaf);

    /**
     * @notice A council decision can revoke or lift a suspension, nothing else.
     * @param status The status asked for.
     */
    error CertificateRegistryInvalidDecision(Status status);

    /**
     * @notice Issue one certificate whose original's fingerprint is public, so anyone can verify from the file.
     *
     * Requirements:
     *
     * - the caller is an active issuer;
     * - `root` is not zero and was not issued by the caller before;
     * - `fingerprint` is not zero;
     * - `validUntil` is 0 or after the current block time.
     *
     * Emits a {CertificateIssued} event.
     *
     * @param root The document's target hash.
     * @param fingerprint The original's fingerprint (SHA-256 of its file, or of its stated serial).
     * @param validUntil Expiry (0 = never).
     * @return id The certificate id, keccak256(abi.encode(msg.sender, root)).
     */
    function issue(bytes32 root, bytes32 fingerprint, uint48 validUntil) external returns (bytes32 id);

    /**
     * @notice Anchor a Merkle batch of two or more documents: only the root becomes public (the cheapest mode).
     *
     * Requirements:
     *
     * - the caller is an active issuer;
     * - `root` is not zero and was not issued by the caller before;
     * - `validUntil` is 0 or after the current block time.
     *
     * Emits a {CertificateIssued} event with a zero fingerprint.
     *
     * @param root The Merkle root of the batch.
     * @param validUntil Expiry (0 = never).
     * @return id The certificate id.
     */
    function issueBatch(bytes32 root, uint48 validUntil) external returns (bytes32 id);

    /**
     * @notice Anchor a Merkle batch and publish each document's leaf and fingerprint. The leaves are not checked against the
     * root here (that would cost a hash per document); verifiers check the proof.
     *
     * Requirements:
     *
     * - the same as for {issueBatch};
     * - `leaves` and `fingerprints` have two or more entries, as many of one as of the other.
     *
     * Emits a {CertificateIssued} event and one {DocumentPublished} event per document.
     *
     * @param root The Merkle root of the batch.
     * @param validUntil Expiry (0 = never).
     * @param leaves The documents' target hashes.
     * @param fingerprints The originals' fingerprints, one per leaf.
     * @return id The certificate id.
     */
    function issueBatchPublic(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints
    ) external returns (bytes32 id);

    /**
     * @notice Revoke a whole certificate. Final.
     *
     * Requirements:
     *
     * - the caller is its issuer, an active issuer without a compromise cut-off (another issuer's certificate is revoked only by a council decision);
     * - the certificate is not revoked.
     *
     * Emits a {CertificateRevoked} event with a zero leaf.
     *
     * @param id The certificate id.
     * @param reason The reason code.
     */
    function revoke(bytes32 id, uint16 reason) external;

    /**
     * @notice Revoke one document of a certificate. Final.
     *
     * Requirements:
     *
     * - the caller may act on the certificate, as for {revoke};
     * - `proof` shows `leaf` as a document of the certificate;
     * - neither the document nor its record is revoked.
     *
     * Emits a {CertificateRevoked} event.
     *
     * @param id The certificate id.
     * @param leaf The document's target hash.
     * @param reason The reason code.
     * @param proof The Merkle proof of `leaf` in the certificate.
     */
    function revokeDocument(bytes32 id, bytes32 leaf, uint16 reason, bytes32[] calldata proof) external;

    /**
     * @notice Suspend a whole certificate until it is reinstated.
     *
     * Requirements:
     *
     * - the caller is its issuer (as for {revoke}), or an active council member (a council hold, which also replaces an issuer's own suspension);
     * - the certificate is not revoked, and not already suspended by the same authority.
     *
     * Emits a {CertificateSuspended} event with a zero leaf.
     *
     * @param id The certificate id.
     * @param reason The reason code.
     */
    function suspend(bytes32 id, uint16 reason) external;

    /**
     * @notice Suspend one document of a certificate.
     *
     * Requirements:
     *
     * - the caller may act on the certificate, as for {suspend};
     * - `proof` shows `leaf` as a document of the certificate;
     * - the document is not revoked, and not already suspended by the same authority.
     *
     * Emits a {CertificateSuspended} event.
     *
     * @param id The certificate id.
     * @param leaf The document's target hash.
     * @param reason The reason code.
     * @param proof The Merkle proof of `leaf` in the certificate.
     */
    function suspendDocument(bytes32 id, bytes32 leaf, uint16 reason, bytes32[] calldata proof) external;

    /**
     * @notice Lift the issuer's own suspension of a whole certificate.
     *
     * Requirements:
     *
     * - the caller is its issuer (as for {revoke});
     * - the certificate is suspended, and not by the council.
     *
     * Emits a {CertificateReinstated} event with a zero leaf.
     *
     * @param id The certificate id.
     * @param reason The reason code.
     */
    function reinstate(bytes32 id, uint16 reason) external;

    /**
     * @notice Lift the issuer's own suspension of one document.
     *
     * Requirements:
     *
     * - the caller is the certificate's issuer (as for {revoke});
     * - `proof` shows `leaf` as a document of the certificate;
     * - the document is suspended, and not by the council.
     *
     * Emits a {CertificateReinstated} event.
     *
     * @param id The certificate id.
     * @param leaf The document's target hash.
     * @param reason The reason code.
     * @param proof The Merkle proof of `leaf` in the certificate.
     */
    function reinstateDocument(bytes32 id, bytes32 leaf, uint16 reason, bytes32[] calldata proof) external;

    /**
     * @notice {issue}, signed by the issuer and sent by anyone (a relayer paying the gas). The typed message is
     * `Issue(address issuer,bytes32 root,bytes32 fingerprint,uint48 validUntil,uint256 nonce,uint48 deadline)` in the
     * domain "Originals CertificateRegistry", version "1", this chain and this registry.
     *
     * Requirements: those of {issue} for the signer; the signature holds ({ISignedActions}).
     *
     * @param root The certificate's Merkle root.
     * @param fingerprint The original's fingerprint.
     * @param validUntil Expiry (0 = never).
     * @param by The issuer (`by.signer`), its nonce, the deadline and the signature.
     * @return id The certificate id.
     */
    function issueBySig(
        bytes32 root,
        bytes32 fingerprint,
        uint48 validUntil,
        Signed calldata by
    ) external returns (bytes32 id);

    /**
     * @notice {issueBatch}, signed by the issuer: `IssueBatch(address issuer,bytes32 root,uint48 validUntil,uint256
     * nonce,uint48 deadline)`.
     * @param root The Merkle root of the batch.
     * @param validUntil Expiry (0 = never).
     * @param by The issuer, its nonce, the deadline and the signature.
     * @return id The certificate id.
     */
    function issueBatchBySig(bytes32 root, uint48 validUntil, Signed calldata by) external returns (bytes32 id);

    /**
     * @notice {issueBatchPublic}, signed by the issuer: `IssueBatchPublic(address issuer,bytes32 root,uint48
     * validUntil,bytes32[] leaves,bytes32[] fingerprints,uint256 nonce,uint48 deadline)`; the leaves and fingerprints
     * are signed too, so a relayer cannot publish others under the issuer's certificate.
     * @param root The Merkle root of the batch.
     * @param validUntil Expiry (0 = never).
     * @param leaves The documents' target hashes.
     * @param fingerprints The originals' fingerprints, one per leaf.
     * @param by The issuer, its nonce, the deadline and the signature.
     * @return id The certificate id.
     */
    function issueBatchPublicBySig(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints,
        Signed calldata by
    ) external returns (bytes32 id);

    /**
     * @notice A status change signed by its author (the issuer, or a council member putting a hold):
     * `SetStatus(address signer,bytes32 id,bytes32 leaf,uint8 status,uint16 reason,uint256 nonce,uint48 deadline)`.
     * `status` Revoked is {revoke} / {revokeDocument}, Suspended is {suspend} / {suspendDocument}, Valid is
     * {reinstate} / {reinstateDocument}; `leaf` = 0 acts on the whole certificate. The proof is not signed: it only
     * shows that the signed leaf is in the certificate.
     *
     * Requirements: those of the direct call for the signer; the signature holds ({ISignedActions}).
     *
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param proof The Merkle proof of `leaf` (empty for the whole certificate).
     * @param status Revoked, Suspended, or Valid to lift the signer's own suspension.
     * @param reason The reason code.
     * @param by The signer, its nonce, the deadline and the signature.
     */
    function setStatusBySig(
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        Status status,
        uint16 reason,
        Signed calldata by
    ) external;

    /**
     * @notice Whether a council decision to set `status` (Revoked, or Valid to lift a suspension) on the certificate
     * or document could be carried out now; reverts with the reason when not. Called when such a decision is proposed.
     *
     * Requirements:
     *
     * - the certificate exists;
     * - `proof` shows `leaf` as a document of the certificate (unless `leaf` is 0);
     * - the transition applies now: nothing leaves Revoked, only a suspension can be lifted, a decision never suspends.
     *
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param proof The Merkle proof of `leaf` in the certificate (empty for the whole certificate).
     * @param status Revoked, or Valid to lift a suspension.
     */
    function checkCouncilDecision(bytes32 id, bytes32 leaf, bytes32[] calldata proof, Status status) external view;

    /**
     * @notice Carry out an executed council decision. The leaf's proof was checked when the decision was proposed
     * ({checkCouncilDecision}).
     *
     * Requirements:
     *
     * - the caller is the partner registry;
     * - the certificate exists and the transition still applies (as for {checkCouncilDecision}).
     *
     * Emits a {CertificateRevoked} or a {CertificateReinstated} event.
     *
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param status Revoked, or Valid to lift a suspension.
     * @param reason The reason code.
     */
    function applyCouncilDecision(bytes32 id, bytes32 leaf, Status status, uint16 reason) external;

    /**
     * @notice The id of the certificate `issuer` issued with `root`.
     * @param issuer The issuer.
     * @param root The certificate's root.
     * @return The certificate id, keccak256(abi.encode(issuer, root)).
     */
    function certificateId(address issuer, bytes32 root) external pure returns (bytes32);

    /**
     * @notice The stored record of certificate `id` (issuer 0 when never issued).
     * @param id The certificate id.
     * @return The certificate record.
     */
    function certificate(bytes32 id) external view returns (Certificate memory);

    /**
     * @notice The stored status of certificate `id` (`leaf` = 0) or of one of its documents.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @return The status record (Valid, all zero, when never acted on).
     */
    function statusOf(bytes32 id, bytes32 leaf) external view returns (StatusRecord memory);

    /**
     * @notice The full status of a document: issued, in the certificate, revoked or suspended (certificate or
     * document), expired, issued at or after its issuer's compromise cut-off; and the verdict.
     * @param id The certificate id.
     * @param leaf The document's target hash (the root itself for a single certificate).
     * @param proof The Merkle proof of `leaf` in the certificate's root: empty for a single certificate, never empty
     * for a batch (so a batch's root is never taken for one of its documents).
     * @return Everything a verifier needs, with the verdict.
     */
    function verify(bytes32 id, bytes32 leaf, bytes32[] calldata proof) external view returns (CertificateState memory);
}
