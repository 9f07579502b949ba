// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ICertificateRegistry} from "./ICertificateRegistry.sol";
import {IPartnerRegistry} from "../partners/IPartnerRegistry.sol";
import {IStandingMirror} from "../partners/IStandingMirror.sol";
import {SignedActions} from "../signing/SignedActions.sol";

/**
 * @title CertificateRegistry
 * @notice Certificates of originals as Merkle roots, issued by active issuer partners of a {PartnerRegistry} and
 * namespaced by issuer: a certificate's id binds its issuer and its root, as an EAS uid binds its attester.
 * @dev One storage slot per certificate (issuer, issued-at, valid-until, batch flag), keyed by id; the root is not
 * stored, because the id commits to it: a proof is checked by hashing the issuer with the root it leads to. Status
 * records exist only for certificates and documents that were acted on. Partners' standing is a copy the partner
 * registry pushes on every change ({IStandingMirror}), so checking it costs one storage read, not a call.
 *
 * Every write an issuer or council member makes has a signed form ({issueBySig}, {setStatusBySig}...): a relayer
 * sends it and pays the gas, and the registry acts for the signer, as if the signer had sent the direct call.
 */
contract CertificateRegistry is ICertificateRegistry, SignedActions {
    IPartnerRegistry private immutable _partners;
    mapping(bytes32 id => Certificate) private _certificates;
    mapping(bytes32 id => mapping(bytes32 leaf => StatusRecord)) private _status;
    mapping(address account => IPartnerRegistry.Standing) private _standing;

    /// @dev Who is changing a status: the certificate's issuer, a council member's hold, or a council decision.
    /// (Plain numbers rather than an enum: the compiler re-validates an enum at every comparison, on the hot path.)
    uint8 private constant _BY_ISSUER = 0;
    uint8 private constant _BY_COUNCIL_MEMBER = 1;
    uint8 private constant _BY_COUNCIL_DECISION = 2;

    bytes32 private constant _ISSUE_TYPEHASH = keccak256(
        "Issue(address issuer,bytes32 root,bytes32 fingerprint,uint48 validUntil,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _ISSUE_BATCH_TYPEHASH = keccak256(
        "IssueBatch(address issuer,bytes32 root,uint48 validUntil,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _ISSUE_BATCH_PUBLIC_TYPEHASH = keccak256(
        "IssueBatchPublic(address issuer,bytes32 root,uint48 validUntil,bytes32[] leaves,bytes32[] fingerprints,"
        "uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _SET_STATUS_TYPEHASH = keccak256(
        "SetStatus(address signer,bytes32 id,bytes32 leaf,uint8 status,uint16 reason,uint256 nonce,uint48 deadline)"
    );

    /// @notice Names the partner registry whose standing this registry mirrors and whose decisions it carries out.
    /// @param partners_ The partner registry; it is deployed next and must name this registry as its mirror.
    constructor(IPartnerRegistry partners_) SignedActions("Originals CertificateRegistry") {
        _partners = partners_;
    }

    modifier onlyPartnerRegistry() {
        if (msg.sender != address(_partners)) revert CertificateRegistryNotPartnerRegistry(msg.sender);
        _;
    }

    /// @inheritdoc ICertificateRegistry
    function issue(bytes32 root, bytes32 fingerprint, uint48 validUntil) external returns (bytes32 id) {
        id = _issueSingle(msg.sender, root, fingerprint, validUntil);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBySig(
        bytes32 root,
        bytes32 fingerprint,
        uint48 validUntil,
        Signed calldata by
    ) external returns (bytes32 id) {
        bytes32 structHash = keccak256(
            abi.encode(_ISSUE_TYPEHASH, by.signer, root, fingerprint, validUntil, by.nonce, by.deadline)
        );
        id = _issueSingle(_useSigned(structHash, by), root, fingerprint, validUntil);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatch(bytes32 root, uint48 validUntil) external returns (bytes32 id) {
        id = _issue(msg.sender, root, bytes32(0), validUntil, true);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatchBySig(bytes32 root, uint48 validUntil, Signed calldata by) external returns (bytes32 id) {
        bytes32 structHash = keccak256(
            abi.encode(_ISSUE_BATCH_TYPEHASH, by.signer, root, validUntil, by.nonce, by.deadline)
        );
        id = _issue(_useSigned(structHash, by), root, bytes32(0), validUntil, true);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatchPublic(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints
    ) external returns (bytes32 id) {
        id = _issuePublic(msg.sender, root, validUntil, leaves, fingerprints);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatchPublicBySig(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints,
        Signed calldata by
    ) external returns (bytes32 id) {
        bytes32 structHash = keccak256(
            abi.encode(
                _ISSUE_BATCH_PUBLIC_TYPEHASH,
                by.signer,
                root,
                validUntil,
                keccak256(abi.encodePacked(leaves)),
                keccak256(abi.encodePacked(fingerprints)),
                by.nonce,
                by.deadline
            )
        );
        id = _issuePublic(_useSigned(structHash, by), root, validUntil, leaves, fingerprints);
    }

    /// @inheritdoc ICertificateRegistry
    function revoke(bytes32 id, uint16 reason) external {
        _setCertificateStatus(msg.sender, id, Status.Revoked, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeDocument(bytes32 id, bytes32 leaf, uint16 reason, bytes32[] calldata proof) external {
        _setDocumentStatus(msg.sender, id, leaf, proof, Status.Revoked, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function suspend(bytes32 id, uint16 reason) external {
        _setCertificateStatus(msg.sender, id, Status.Suspended, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function suspendDocument(bytes32 id, bytes32 leaf, uint16 reason, bytes32[] calldata proof) external {
        _setDocumentStatus(msg.sender, id, leaf, proof, Status.Suspended, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstate(bytes32 id, uint16 reason) external {
        _setCertificateStatus(msg.sender, id, Status.Valid, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstateDocument(bytes32 id, bytes32 leaf, uint16 reason, bytes32[] calldata proof) external {
        _setDocumentStatus(msg.sender, id, leaf, proof, Status.Valid, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function setStatusBySig(
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        Status status,
        uint16 reason,
        Signed calldata by
    ) external {
        address signer = _useSigned(_setStatusHash(id, leaf, status, reason, by), by);
        if (leaf == bytes32(0)) _setCertificateStatus(signer, id, status, reason);
        else _setDocumentStatus(signer, id, leaf, proof, status, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function checkCouncilDecision(bytes32 id, bytes32 leaf, bytes32[] calldata proof, Status status) external view {
        Certificate memory cert = _certificates[id];
        if (cert.issuer == address(0)) revert CertificateRegistryUnknownCertificate(id);
        if (leaf != bytes32(0) && !_proves(cert.issuer, cert.batch, id, leaf, proof)) {
            revert CertificateRegistryInvalidProof(id, leaf);
        }
        StatusRecord storage record = _status[id][leaf];
        _checkTransition(msg.sender, id, leaf, record.status, record.byCouncil, status, _BY_COUNCIL_DECISION);
    }

    /// @inheritdoc ICertificateRegistry
    function applyCouncilDecision(bytes32 id, bytes32 leaf, Status status, uint16 reason) external onlyPartnerRegistry {
        if (_certificates[id].issuer == address(0)) revert CertificateRegistryUnknownCertificate(id);
        _setStatus(msg.sender, id, leaf, status, reason, _BY_COUNCIL_DECISION);
    }

    /// @inheritdoc IStandingMirror
    function setStanding(address account, IPartnerRegistry.Standing calldata standing) external onlyPartnerRegistry {
        _standing[account] = standing;
    }

    /// @inheritdoc IStandingMirror
    function standingOf(address account) external view returns (IPartnerRegistry.Standing memory) {
        return _standing[account];
    }

    /// @inheritdoc IStandingMirror
    function partners() external view returns (IPartnerRegistry) {
        return _partners;
    }

    /// @inheritdoc ICertificateRegistry
    function certificateId(address issuer, bytes32 root) public pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, issuer)
            mstore(0x20, root)
            id := keccak256(0x00, 0x40)
        }
    }

    /// @inheritdoc ICertificateRegistry
    function certificate(bytes32 id) external view returns (Certificate memory) {
        return _certificates[id];
    }

    /// @inheritdoc ICertificateRegistry
    function statusOf(bytes32 id, bytes32 leaf) external view returns (StatusRecord memory) {
        return _status[id][leaf];
    }

    /// @inheritdoc ICertificateRegistry
    function verify(
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (CertificateState memory state) {
        Certificate memory cert = _certificates[id];
        state.certificate = cert;
        state.proofValid = cert.issuer != address(0) && _proves(cert.issuer, cert.batch, id, leaf, proof);
        state.rootStatus = _status[id][bytes32(0)];
        if (leaf != bytes32(0)) state.leafStatus = _status[id][leaf];
        uint48 validUntil = cert.validUntil;
        state.expired = validUntil != 0 && block.timestamp >= validUntil;
        state.issuerCompromisedAfter = _standing[cert.issuer].compromisedAfter;
        state.verdict = _verdict(state);
    }

    /// @dev The EIP-712 struct hash of a signed status change.
    function _setStatusHash(
        bytes32 id,
        bytes32 leaf,
        Status status,
        uint16 reason,
        Signed calldata by
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(_SET_STATUS_TYPEHASH, by.signer, id, leaf, status, reason, by.nonce, by.deadline));
    }

    /// @dev A whole certificate's status change by `actor`.
    function _setCertificateStatus(address actor, bytes32 id, Status status, uint16 reason) private {
        _setStatus(actor, id, bytes32(0), status, reason, _authority(actor, id, _certificates[id].issuer));
    }

    /// @dev A single certificate: its one document's fingerprint is required.
    function _issueSingle(
        address issuer,
        bytes32 root,
        bytes32 fingerprint,
        uint48 validUntil
    ) private returns (bytes32 id) {
        if (fingerprint == bytes32(0)) revert CertificateRegistryInvalidFingerprint(fingerprint);
        id = _issue(issuer, root, fingerprint, validUntil, false);
    }

    /// @dev A batch with each document's leaf and fingerprint published.
    function _issuePublic(
        address issuer,
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints
    ) private returns (bytes32 id) {
        uint256 n = leaves.length;
        if (n < 2 || n != fingerprints.length) revert CertificateRegistryInvalidBatch(n, fingerprints.length);
        id = _issue(issuer, root, bytes32(0), validUntil, true);
        // One DocumentPublished(leaf, fingerprint; id) log per document, straight from calldata: the Solidity loop's
        // bounds checks and memory handling cost ~100 gas per document, a third of the margin to the target. The id,
        // the only data word, is stored in scratch memory once.
        bytes32 topic0 = DocumentPublished.selector;
        assembly ("memory-safe") {
            mstore(0x00, id)
            let leafAt := leaves.offset
            let fingerprintAt := fingerprints.offset
            let end := add(leafAt, shl(5, n))
            for {} lt(leafAt, end) {} {
                log3(0x00, 0x20, topic0, calldataload(leafAt), calldataload(fingerprintAt))
                leafAt := add(leafAt, 0x20)
                fingerprintAt := add(fingerprintAt, 0x20)
            }
        }
    }

    /// @dev Records certificate `root` of `issuer` (the caller, or the signer of a signed action).
    function _issue(
        address issuer,
        bytes32 root,
        bytes32 fingerprint,
        uint48 validUntil,
        bool batch
    ) private returns (bytes32 id) {
        if (!_standing[issuer].issuer) revert CertificateRegistryUnauthorizedIssuer(issuer);
        if (root == bytes32(0)) revert CertificateRegistryInvalidRoot(root);
        id = certificateId(issuer, root);
        if (_certificates[id].issuer != address(0)) revert CertificateRegistryAlreadyIssued(id);
        uint48 now_ = uint48(block.timestamp);
        if (validUntil != 0 && validUntil <= now_) revert CertificateRegistryInvalidExpiry(validUntil, now_);
        // uint40 seconds last until the year 36812; the event keeps uint48 like every other time in the registries.
        _certificates[id] = Certificate({
            issuer: issuer,
            issuedAt: uint40(now_),
            validUntil: uint40(validUntil),
            batch: batch
        });
        emit CertificateIssued(id, issuer, fingerprint, root, now_, validUntil);
    }

    /**
     * @dev Who `actor` (the caller or a signer) acts as on certificate `id` of `issuer`, or a revert when it may not act. The issuer
     * acts as the issuer only while it is an active issuer whose key was never declared compromised: a council
     * suspension of the partner freezes the key at once. Any other active council member may only put a hold on it.
     */
    function _authority(address actor, bytes32 id, address issuer) private view returns (uint8) {
        if (issuer == address(0)) revert CertificateRegistryUnknownCertificate(id);
        (bool activeIssuer, bool council, uint48 cutoff) = _standingFields(actor);
        if (actor == issuer && activeIssuer && cutoff == 0) return _BY_ISSUER;
        if (council) return _BY_COUNCIL_MEMBER;
        revert CertificateRegistryUnauthorized(actor, id);
    }

    /// @dev The certificate's issuer (0 if never issued) and whether it is a batch.
    function _issuerAndBatch(bytes32 id) private view returns (address issuer, bool batch) {
        Certificate storage cert = _certificates[id];
        return (cert.issuer, cert.batch);
    }

    /// @dev `account`'s standing as pushed by the partner registry.
    function _standingFields(address account) private view returns (bool issuer, bool council, uint48 cutoff) {
        IPartnerRegistry.Standing storage standing = _standing[account];
        return (standing.issuer, standing.council, standing.compromisedAfter);
    }

    /// @dev A record's status and whether the council holds it.
    function _statusAndHold(StatusRecord storage record) private view returns (Status status, bool byCouncil) {
        return (record.status, record.byCouncil);
    }

    /// @dev A document's status change: one read of the certificate serves the authority and the proof.
    function _setDocumentStatus(
        address actor,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        Status status,
        uint16 reason
    ) private {
        (address issuer, bool batch) = _issuerAndBatch(id);
        uint8 authority = _authority(actor, id, issuer);
        if (!_proves(issuer, batch, id, leaf, proof)) revert CertificateRegistryInvalidProof(id, leaf);
        _setStatus(actor, id, leaf, status, reason, authority);
    }

    /**
     * @dev Reverts unless `authority` may move a record (`current`, held by the council or not) to `status` now. Nothing
     * leaves Revoked. The issuer may revoke, suspend (not twice) and lift its own suspension, never a council one. A
     * council member may only suspend, and may turn the issuer's own suspension into a council hold. A council
     * decision may revoke or lift any suspension.
     */
    function _checkTransition(
        address actor,
        bytes32 id,
        bytes32 leaf,
        Status current,
        bool heldByCouncil,
        Status status,
        uint8 authority
    ) private view {
        if (current == Status.Revoked) revert CertificateRegistryAlreadyRevoked(id, leaf);
        if (authority == _BY_ISSUER) {
            if (status == Status.Revoked) return;
            if (status == Status.Suspended) {
                if (current == Status.Suspended) revert CertificateRegistryAlreadySuspended(id, leaf);
                return;
            }
            if (current != Status.Suspended) revert CertificateRegistryNotSuspended(id, leaf);
            if (heldByCouncil) revert CertificateRegistryCouncilSuspension(id, leaf);
        } else if (authority == _BY_COUNCIL_MEMBER) {
            if (status != Status.Suspended) revert CertificateRegistryCouncilDecisionRequired(actor, id);
            // A council hold replaces an issuer's own suspension, so the issuer cannot pre-empt it and lift it later.
            if (current == Status.Suspended && heldByCouncil) revert CertificateRegistryAlreadySuspended(id, leaf);
        } else {
            if (status == Status.Suspended) revert CertificateRegistryInvalidDecision(status);
            if (status == Status.Valid && current != Status.Suspended) revert CertificateRegistryNotSuspended(id, leaf);
        }
    }

    /// @dev The one place a status changes, by `actor` (named in the event). `leaf` = 0 addresses the whole certificate.
    function _setStatus(
        address actor,
        bytes32 id,
        bytes32 leaf,
        Status status,
        uint16 reason,
        uint8 authority
    ) private {
        // A leaf's record is independent of its certificate's: acting on a leaf of a revoked certificate cannot undo
        // the certificate's revocation ({verify} reports Revoked either way).
        StatusRecord storage stored = _status[id][leaf];
        (Status current, bool heldByCouncil) = _statusAndHold(stored);
        _checkTransition(actor, id, leaf, current, heldByCouncil, status, authority);
        bool byCouncil = authority != _BY_ISSUER;
        uint48 now_ = uint48(block.timestamp);
        stored.status = status;
        stored.byCouncil = byCouncil;
        stored.reason = reason;
        stored.at = now_;
        if (status == Status.Revoked) emit CertificateRevoked(id, leaf, actor, reason, now_, byCouncil);
        else if (status == Status.Suspended) emit CertificateSuspended(id, leaf, actor, reason, now_, byCouncil);
        else emit CertificateReinstated(id, leaf, actor, reason, now_, byCouncil);
    }

    /**
     * @dev Whether `proof` shows `leaf` as a document of certificate `id`: the root the proof leads to, hashed with
     * the issuer, gives the id. A single certificate's only document is its root (empty proof); a batch's documents
     * always need a proof, so a batch root never passes for one of its documents.
     */
    function _proves(
        address issuer,
        bool batch,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private pure returns (bool) {
        if (leaf == bytes32(0) || batch == (proof.length == 0)) return false;
        return certificateId(issuer, _rootOf(leaf, proof)) == id;
    }

    /**
     * @dev The root `proof` leads to from `leaf`: sorted-pair keccak256 at each level, as OpenZeppelin's
     * MerkleProof.processProofCalldata and {ledger.merkle} compute it, in a loop without bounds checks (the ABI
     * decoder already checked that the array lies inside the calldata).
     */
    function _rootOf(bytes32 leaf, bytes32[] calldata proof) private pure returns (bytes32 node) {
        assembly ("memory-safe") {
            node := leaf
            let at := proof.offset
            let end := add(at, shl(5, proof.length))
            // Two levels per turn (a 1,024 batch has 10), then the odd one out: the smaller hash goes first, at 0x00,
            // the larger at 0x20, with no branch.
            for {
                let pairsEnd := sub(end, shl(5, and(proof.length, 1)))
            } lt(at, pairsEnd) {
                at := add(at, 0x40)
            } {
                let sibling := calldataload(at)
                let siblingFirst := lt(sibling, node)
                mstore(shl(5, siblingFirst), node)
                mstore(shl(5, iszero(siblingFirst)), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(at, 0x20))
                siblingFirst := lt(sibling, node)
                mstore(shl(5, siblingFirst), node)
                mstore(shl(5, iszero(siblingFirst)), sibling)
                node := keccak256(0x00, 0x40)
            }
            if lt(at, end) {
                let sibling := calldataload(at)
                let siblingFirst := lt(sibling, node)
                mstore(shl(5, siblingFirst), node)
                mstore(shl(5, iszero(siblingFirst)), sibling)
                node := keccak256(0x00, 0x40)
            }
        }
    }

    /// @dev The first failing rule wins: NotIssued, InvalidProof, Revoked, Suspended, Expired, IssuerCompromised.
    function _verdict(CertificateState memory state) private pure returns (Verdict) {
        if (state.certificate.issuer == address(0)) return Verdict.NotIssued;
        if (!state.proofValid) return Verdict.InvalidProof;
        (Status root, Status leaf) = (state.rootStatus.status, state.leafStatus.status);
        if (root == Status.Revoked || leaf == Status.Revoked) return Verdict.Revoked;
        if (root == Status.Suspended || leaf == Status.Suspended) return Verdict.Suspended;
        if (state.expired) return Verdict.Expired;
        uint48 cutoff = state.issuerCompromisedAfter;
        if (cutoff != 0 && state.certificate.issuedAt >= cutoff) return Verdict.IssuerCompromised;
        return Verdict.Valid;
    }
}
