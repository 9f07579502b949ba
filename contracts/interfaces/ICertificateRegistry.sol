// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IPartnerRegistry} from "./IPartnerRegistry.sol";

/**
 * @title ICertificateRegistry
 * @notice Certificates of originals. A certificate is the Merkle root over one or more certificate documents
 * (sorted-pair keccak256, as OpenZeppelin's MerkleProof verifies); a single document is a tree of one, whose root
 * is the document's target hash.
 *
 * Only hashes are on chain. Revocation, suspension and reinstatement apply to a whole root or to one document (leaf)
 * in it, carry a reason code, and never delete anything.
 */
interface ICertificateRegistry {
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

    /// @notice A certificate as stored: one storage slot.
    struct Certificate {
        address issuer;
        uint48 issuedAt;
        uint48 validUntil;
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
     * @notice A certificate (Merkle root) was issued.
     * @param root The Merkle root; for a single document, its target hash.
     * @param issuer The issuing partner.
     * @param fingerprint The original's fingerprint for a single certificate; 0 for batches.
     * @param issuedAt The block timestamp.
     * @param validUntil Expiry time (0 = never expires).
     */
    event CertificateIssued(
        bytes32 indexed root,
        address indexed issuer,
        bytes32 indexed fingerprint,
        uint48 issuedAt,
        uint48 validUntil
    );

    /// @notice A document of a batch issued with public fingerprints: `leaf` is in `root` and certifies `fingerprint`.
    event DocumentPublished(bytes32 indexed root, bytes32 indexed fingerprint, bytes32 leaf);

    /// @notice A root (`leaf` = 0) or one leaf was revoked. Final.
    event CertificateRevoked(bytes32 indexed root, bytes32 indexed leaf, address indexed by, uint16 reason, uint48 at);

    /// @notice A root (`leaf` = 0) or one leaf was suspended.
    event CertificateSuspended(
        bytes32 indexed root,
        bytes32 indexed leaf,
        address indexed by,
        uint16 reason,
        uint48 at
    );

    /// @notice A suspended root (`leaf` = 0) or leaf was reinstated.
    event CertificateReinstated(
        bytes32 indexed root,
        bytes32 indexed leaf,
        address indexed by,
        uint16 reason,
        uint48 at
    );

    /// @notice `account` is not an active partner with the issuer right.
    error CertificateRegistryUnauthorizedIssuer(address account);
    /// @notice `account` is neither the certificate's issuer in good standing nor an active council member.
    error CertificateRegistryUnauthorized(address account, bytes32 root);
    /// @notice The root is zero.
    error CertificateRegistryInvalidRoot(bytes32 root);
    /// @notice This root was already issued (by anyone).
    error CertificateRegistryAlreadyIssued(bytes32 root);
    /// @notice No certificate has this root.
    error CertificateRegistryUnknownCertificate(bytes32 root);
    /// @notice The expiry is not after the current block time.
    error CertificateRegistryInvalidExpiry(uint48 validUntil, uint48 now_);
    /// @notice The batch has no documents, or a different number of leaves and fingerprints.
    error CertificateRegistryInvalidBatch(uint256 leaves, uint256 fingerprints);
    /// @notice The proof does not show `leaf` inside `root` (or `leaf` is zero).
    error CertificateRegistryInvalidProof(bytes32 root, bytes32 leaf);
    /// @notice The root or leaf is revoked; nothing can change it any more.
    error CertificateRegistryAlreadyRevoked(bytes32 root, bytes32 leaf);
    /// @notice The root or leaf is already suspended.
    error CertificateRegistryAlreadySuspended(bytes32 root, bytes32 leaf);
    /// @notice Only a suspended root or leaf can be reinstated.
    error CertificateRegistryNotSuspended(bytes32 root, bytes32 leaf);
    /// @notice The council suspended it, so only the council can reinstate it.
    error CertificateRegistryCouncilSuspension(bytes32 root, bytes32 leaf);

    /**
     * @notice Issue one certificate whose original's fingerprint is public, so anyone can verify from the file.
     * @param root The document's target hash.
     * @param fingerprint The original's fingerprint (SHA-256 of its file, or of its stated serial).
     * @param validUntil Expiry (0 = never).
     * @dev Requirements: the caller is an active issuer; root not zero and not issued; expiry in the future.
     * Emits a {CertificateIssued} event.
     */
    function issue(bytes32 root, bytes32 fingerprint, uint48 validUntil) external;

    /**
     * @notice Anchor a Merkle batch: only the root becomes public (the cheapest mode).
     * @dev Same requirements as {issue}. Emits a {CertificateIssued} event with a zero fingerprint.
     */
    function issueBatch(bytes32 root, uint48 validUntil) external;

    /**
     * @notice Anchor a Merkle batch and publish each document's leaf and fingerprint.
     * @dev Same requirements as {issue}; `leaves` and `fingerprints` are non-empty and of equal length. The leaves
     * are not checked against the root here (that would cost a hash per document); verifiers check the proof.
     * Emits a {CertificateIssued} event and one {DocumentPublished} event per document.
     */
    function issueBatchPublic(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints
    ) external;

    /**
     * @notice Revoke a whole certificate. Final.
     * @dev Requirements: the caller is its issuer or an active council member; not already revoked.
     * Emits a {CertificateRevoked} event with a zero leaf.
     */
    function revoke(bytes32 root, uint16 reason) external;

    /// @notice Revoke one document of a certificate; `proof` shows `leaf` inside `root`. Emits {CertificateRevoked}.
    function revokeDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external;

    /**
     * @notice Suspend a whole certificate until it is reinstated.
     * @dev Requirements: the caller is its issuer, still an active issuer, or an active council member; the
     * certificate is not revoked or suspended. Emits a {CertificateSuspended} event with a zero leaf.
     */
    function suspend(bytes32 root, uint16 reason) external;

    /// @notice Suspend one document of a certificate. Emits {CertificateSuspended}.
    function suspendDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external;

    /**
     * @notice Lift a suspension.
     * @dev Requirements: as {suspend}, and a council suspension is lifted only by the council.
     * Emits a {CertificateReinstated} event with a zero leaf.
     */
    function reinstate(bytes32 root, uint16 reason) external;

    /// @notice Lift the suspension of one document. Emits {CertificateReinstated}.
    function reinstateDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external;

    /// @notice The partner registry that decides who may issue.
    function partners() external view returns (IPartnerRegistry);

    /// @notice The stored record of `root` (issuer 0 when never issued).
    function certificate(bytes32 root) external view returns (Certificate memory);

    /// @notice The stored status of `root` (`leaf` = 0) or of one leaf.
    function statusOf(bytes32 root, bytes32 leaf) external view returns (StatusRecord memory);

    /**
     * @notice The full status of a document: issued, in the tree, revoked or suspended (root or leaf), expired,
     * issued at or after its issuer's compromise cut-off; and the verdict.
     * @param root The certificate's Merkle root.
     * @param leaf The document's target hash (equal to `root` for a single certificate).
     * @param proof The Merkle proof of `leaf` in `root` (empty for a single certificate).
     */
    function verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (CertificateState memory);
}
