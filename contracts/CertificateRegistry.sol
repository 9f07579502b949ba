// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICertificateRegistry} from "./interfaces/ICertificateRegistry.sol";
import {IPartnerRegistry} from "./interfaces/IPartnerRegistry.sol";

/**
 * @title CertificateRegistry
 * @notice Certificates of originals as Merkle roots, issued by active issuer partners of a {PartnerRegistry} and
 * namespaced by issuer: a certificate's id binds its issuer and its root, as an EAS uid binds its attester.
 * @dev One storage slot per certificate (issuer, issued-at, valid-until, batch flag), keyed by id; the root is not
 * stored, because the id commits to it: a proof is checked by hashing the issuer with the root it leads to. Status
 * records exist only for certificates and documents that were acted on.
 */
contract CertificateRegistry is ICertificateRegistry {
    IPartnerRegistry private immutable _partners;
    mapping(bytes32 id => Certificate) private _certificates;
    mapping(bytes32 id => mapping(bytes32 leaf => StatusRecord)) private _status;

    /// @dev Who is changing a status: the certificate's issuer, a council member's hold, or a council decision.
    enum Authority {
        Issuer,
        CouncilMember,
        CouncilDecision
    }

    constructor(IPartnerRegistry partners_) {
        _partners = partners_;
    }

    /// @inheritdoc ICertificateRegistry
    function issue(bytes32 root, bytes32 fingerprint, uint48 validUntil) external returns (bytes32 id) {
        if (fingerprint == bytes32(0)) revert CertificateRegistryInvalidFingerprint(fingerprint);
        id = _issue(root, fingerprint, validUntil, false);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatch(bytes32 root, uint48 validUntil) external returns (bytes32 id) {
        id = _issue(root, bytes32(0), validUntil, true);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatchPublic(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints
    ) external returns (bytes32 id) {
        uint256 n = leaves.length;
        if (n < 2 || n != fingerprints.length) revert CertificateRegistryInvalidBatch(n, fingerprints.length);
        id = _issue(root, bytes32(0), validUntil, true);
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

    /// @inheritdoc ICertificateRegistry
    function revoke(bytes32 id, uint16 reason) external {
        _setStatus(id, bytes32(0), Status.Revoked, reason, _authority(id));
    }

    /// @inheritdoc ICertificateRegistry
    function revokeDocument(bytes32 id, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external {
        Authority authority = _authority(id);
        _checkProof(id, leaf, proof);
        _setStatus(id, leaf, Status.Revoked, reason, authority);
    }

    /// @inheritdoc ICertificateRegistry
    function suspend(bytes32 id, uint16 reason) external {
        _setStatus(id, bytes32(0), Status.Suspended, reason, _authority(id));
    }

    /// @inheritdoc ICertificateRegistry
    function suspendDocument(bytes32 id, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external {
        Authority authority = _authority(id);
        _checkProof(id, leaf, proof);
        _setStatus(id, leaf, Status.Suspended, reason, authority);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstate(bytes32 id, uint16 reason) external {
        _setStatus(id, bytes32(0), Status.Valid, reason, _authority(id));
    }

    /// @inheritdoc ICertificateRegistry
    function reinstateDocument(bytes32 id, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external {
        Authority authority = _authority(id);
        _checkProof(id, leaf, proof);
        _setStatus(id, leaf, Status.Valid, reason, authority);
    }

    /// @inheritdoc ICertificateRegistry
    function checkCouncilDecision(bytes32 id, bytes32 leaf, bytes32[] calldata proof, Status status) external view {
        if (_certificates[id].issuer == address(0)) revert CertificateRegistryUnknownCertificate(id);
        if (leaf != bytes32(0)) _checkProof(id, leaf, proof);
        _checkTransition(id, leaf, status, Authority.CouncilDecision);
    }

    /// @inheritdoc ICertificateRegistry
    function applyCouncilDecision(bytes32 id, bytes32 leaf, Status status, uint16 reason) external {
        if (msg.sender != address(_partners)) revert CertificateRegistryNotPartnerRegistry(msg.sender);
        if (_certificates[id].issuer == address(0)) revert CertificateRegistryUnknownCertificate(id);
        _setStatus(id, leaf, status, reason, Authority.CouncilDecision);
    }

    /// @inheritdoc ICertificateRegistry
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
        state.proofValid = cert.issuer != address(0) && _proves(cert, id, leaf, proof);
        state.rootStatus = _status[id][bytes32(0)];
        if (leaf != bytes32(0)) state.leafStatus = _status[id][leaf];
        uint48 validUntil = cert.validUntil;
        state.expired = validUntil != 0 && block.timestamp >= validUntil;
        if (cert.issuer != address(0)) state.issuerCompromisedAfter = _partners.compromisedAfter(cert.issuer);
        state.verdict = _verdict(state);
    }

    function _issue(bytes32 root, bytes32 fingerprint, uint48 validUntil, bool batch) private returns (bytes32 id) {
        if (!_partners.isActiveIssuer(msg.sender)) revert CertificateRegistryUnauthorizedIssuer(msg.sender);
        if (root == bytes32(0)) revert CertificateRegistryInvalidRoot(root);
        id = certificateId(msg.sender, root);
        if (_certificates[id].issuer != address(0)) revert CertificateRegistryAlreadyIssued(id);
        uint48 now_ = uint48(block.timestamp);
        if (validUntil != 0 && validUntil <= now_) revert CertificateRegistryInvalidExpiry(validUntil, now_);
        // uint40 seconds last until the year 36812; the event keeps uint48 like every other time in the registries.
        _certificates[id] = Certificate({
            issuer: msg.sender,
            issuedAt: uint40(now_),
            validUntil: uint40(validUntil),
            batch: batch
        });
        emit CertificateIssued(id, msg.sender, fingerprint, root, now_, validUntil);
    }

    /**
     * @dev Who the caller acts as on certificate `id`, or a revert when it may not act at all. The issuer acts as the
     * issuer only while it is an active issuer whose key was never declared compromised: a council suspension of the
     * partner freezes the key at once. Any other active council member may only put a hold on the certificate.
     */
    function _authority(bytes32 id) private view returns (Authority) {
        address issuer = _certificates[id].issuer;
        if (issuer == address(0)) revert CertificateRegistryUnknownCertificate(id);
        if (msg.sender == issuer && _partners.isActiveIssuer(msg.sender) && _partners.compromisedAfter(issuer) == 0) {
            return Authority.Issuer;
        }
        if (_partners.isActiveCouncil(msg.sender)) return Authority.CouncilMember;
        revert CertificateRegistryUnauthorized(msg.sender, id);
    }

    /// @dev Reverts unless `authority` may move the record of (`id`, `leaf`) to `status` now.
    function _checkTransition(bytes32 id, bytes32 leaf, Status status, Authority authority) private view {
        StatusRecord storage record = _status[id][leaf];
        Status current = record.status;
        if (current == Status.Revoked) revert CertificateRegistryAlreadyRevoked(id, leaf);
        if (authority == Authority.CouncilMember && status != Status.Suspended) {
            revert CertificateRegistryCouncilDecisionRequired(msg.sender, id);
        }
        if (authority == Authority.CouncilDecision && status == Status.Suspended) {
            revert CertificateRegistryInvalidDecision(status);
        }
        if (status == Status.Suspended) {
            // A council hold replaces an issuer's own suspension, so the issuer cannot pre-empt it and lift it later.
            if (current == Status.Suspended && (record.byCouncil || authority == Authority.Issuer)) {
                revert CertificateRegistryAlreadySuspended(id, leaf);
            }
        } else if (status == Status.Valid) {
            if (current != Status.Suspended) revert CertificateRegistryNotSuspended(id, leaf);
            if (record.byCouncil && authority == Authority.Issuer) revert CertificateRegistryCouncilSuspension(id, leaf);
        }
    }

    /// @dev The one place a status changes. `leaf` = 0 addresses the whole certificate.
    function _setStatus(bytes32 id, bytes32 leaf, Status status, uint16 reason, Authority authority) private {
        // A leaf's record is independent of its certificate's: acting on a leaf of a revoked certificate cannot undo
        // the certificate's revocation ({verify} reports Revoked either way).
        _checkTransition(id, leaf, status, authority);
        bool byCouncil = authority != Authority.Issuer;
        uint48 now_ = uint48(block.timestamp);
        _status[id][leaf] = StatusRecord({status: status, byCouncil: byCouncil, reason: reason, at: now_});
        if (status == Status.Revoked) emit CertificateRevoked(id, leaf, msg.sender, reason, now_, byCouncil);
        else if (status == Status.Suspended) emit CertificateSuspended(id, leaf, msg.sender, reason, now_, byCouncil);
        else emit CertificateReinstated(id, leaf, msg.sender, reason, now_, byCouncil);
    }

    function _checkProof(bytes32 id, bytes32 leaf, bytes32[] calldata proof) private view {
        if (leaf == bytes32(0) || !_proves(_certificates[id], id, leaf, proof)) {
            revert CertificateRegistryInvalidProof(id, leaf);
        }
    }

    /**
     * @dev Whether `proof` shows `leaf` as a document of certificate `id`: the root the proof leads to, hashed with
     * the issuer, gives the id. A single certificate's only document is its root (empty proof); a batch's documents
     * always need a proof, so a batch root never passes for one of its documents.
     */
    function _proves(
        Certificate memory cert,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof
    ) private pure returns (bool) {
        if (leaf == bytes32(0) || cert.batch == (proof.length == 0)) return false;
        return certificateId(cert.issuer, MerkleProof.processProofCalldata(proof, leaf)) == id;
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
