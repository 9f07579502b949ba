// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICertificateRegistry} from "./interfaces/ICertificateRegistry.sol";
import {IPartnerRegistry} from "./interfaces/IPartnerRegistry.sol";

/**
 * @title CertificateRegistry
 * @notice Certificates of originals as Merkle roots, issued by active issuer partners of a {PartnerRegistry}.
 * @dev One storage slot per certificate (issuer, issued-at, valid-until); status records exist only for roots and
 * leaves that were acted on. Moving a certificate towards invalid (revoke, suspend) is open to its issuer unless the
 * issuer's key was declared compromised; moving it back (reinstate) needs the issuer to still be an active issuer, and
 * a council suspension needs the council. The council may act on any certificate.
 */
contract CertificateRegistry is ICertificateRegistry {
    IPartnerRegistry private immutable _partners;
    mapping(bytes32 root => Certificate) private _certificates;
    mapping(bytes32 root => mapping(bytes32 leaf => StatusRecord)) private _status;

    constructor(IPartnerRegistry partners_) {
        _partners = partners_;
    }

    /// @inheritdoc ICertificateRegistry
    function issue(bytes32 root, bytes32 fingerprint, uint48 validUntil) external {
        _issue(root, fingerprint, validUntil);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatch(bytes32 root, uint48 validUntil) external {
        _issue(root, bytes32(0), validUntil);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatchPublic(
        bytes32 root,
        uint48 validUntil,
        bytes32[] calldata leaves,
        bytes32[] calldata fingerprints
    ) external {
        uint256 n = leaves.length;
        if (n == 0 || n != fingerprints.length) revert CertificateRegistryInvalidBatch(n, fingerprints.length);
        _issue(root, bytes32(0), validUntil);
        // One DocumentPublished(root, fingerprint, leaf) log per document, straight from calldata: the Solidity
        // loop's bounds checks and memory handling cost ~100 gas per document, a third of the margin to the target.
        bytes32 topic0 = DocumentPublished.selector;
        assembly ("memory-safe") {
            let leafAt := leaves.offset
            let fingerprintAt := fingerprints.offset
            let end := add(leafAt, shl(5, n))
            for {} lt(leafAt, end) {} {
                mstore(0x00, calldataload(leafAt))
                log3(0x00, 0x20, topic0, root, calldataload(fingerprintAt))
                leafAt := add(leafAt, 0x20)
                fingerprintAt := add(fingerprintAt, 0x20)
            }
        }
    }

    /// @inheritdoc ICertificateRegistry
    function revoke(bytes32 root, uint16 reason) external {
        _setStatus(root, bytes32(0), Status.Revoked, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external {
        _checkProof(root, leaf, proof);
        _setStatus(root, leaf, Status.Revoked, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function suspend(bytes32 root, uint16 reason) external {
        _setStatus(root, bytes32(0), Status.Suspended, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function suspendDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external {
        _checkProof(root, leaf, proof);
        _setStatus(root, leaf, Status.Suspended, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstate(bytes32 root, uint16 reason) external {
        _setStatus(root, bytes32(0), Status.Valid, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstateDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint16 reason) external {
        _checkProof(root, leaf, proof);
        _setStatus(root, leaf, Status.Valid, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function partners() external view returns (IPartnerRegistry) {
        return _partners;
    }

    /// @inheritdoc ICertificateRegistry
    function certificate(bytes32 root) external view returns (Certificate memory) {
        return _certificates[root];
    }

    /// @inheritdoc ICertificateRegistry
    function statusOf(bytes32 root, bytes32 leaf) external view returns (StatusRecord memory) {
        return _status[root][leaf];
    }

    /// @inheritdoc ICertificateRegistry
    function verify(
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof
    ) external view returns (CertificateState memory state) {
        state.certificate = _certificates[root];
        state.proofValid = leaf != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
        state.rootStatus = _status[root][bytes32(0)];
        if (leaf != bytes32(0)) state.leafStatus = _status[root][leaf];
        uint48 validUntil = state.certificate.validUntil;
        state.expired = validUntil != 0 && block.timestamp >= validUntil;
        if (state.certificate.issuer != address(0)) {
            state.issuerCompromisedAfter = _partners.compromisedAfter(state.certificate.issuer);
        }
        state.verdict = _verdict(state);
    }

    function _issue(bytes32 root, bytes32 fingerprint, uint48 validUntil) private {
        if (!_partners.isActiveIssuer(msg.sender)) revert CertificateRegistryUnauthorizedIssuer(msg.sender);
        if (root == bytes32(0)) revert CertificateRegistryInvalidRoot(root);
        if (_certificates[root].issuer != address(0)) revert CertificateRegistryAlreadyIssued(root);
        uint48 now_ = uint48(block.timestamp);
        if (validUntil != 0 && validUntil <= now_) revert CertificateRegistryInvalidExpiry(validUntil, now_);
        _certificates[root] = Certificate({issuer: msg.sender, issuedAt: now_, validUntil: validUntil});
        emit CertificateIssued(root, msg.sender, fingerprint, now_, validUntil);
    }

    /// @dev The one place a status changes. `leaf` = 0 addresses the whole root.
    function _setStatus(bytes32 root, bytes32 leaf, Status status, uint16 reason) private {
        address issuer = _certificates[root].issuer;
        if (issuer == address(0)) revert CertificateRegistryUnknownCertificate(root);
        // A leaf's record is independent of its root's: acting on a leaf of a revoked root cannot undo the root's
        // revocation ({verify} reports Revoked either way), so leaf operations need not read the root's record.
        StatusRecord storage record = _status[root][leaf];
        if (record.status == Status.Revoked) revert CertificateRegistryAlreadyRevoked(root, leaf);
        bool byCouncil = _authorize(issuer, root, status);
        if (status == Status.Suspended && record.status == Status.Suspended) {
            revert CertificateRegistryAlreadySuspended(root, leaf);
        }
        if (status == Status.Valid) {
            if (record.status != Status.Suspended) revert CertificateRegistryNotSuspended(root, leaf);
            if (record.byCouncil && !byCouncil) revert CertificateRegistryCouncilSuspension(root, leaf);
        }
        uint48 now_ = uint48(block.timestamp);
        _status[root][leaf] = StatusRecord({status: status, byCouncil: byCouncil, reason: reason, at: now_});
        if (status == Status.Revoked) emit CertificateRevoked(root, leaf, msg.sender, reason, now_);
        else if (status == Status.Suspended) emit CertificateSuspended(root, leaf, msg.sender, reason, now_);
        else emit CertificateReinstated(root, leaf, msg.sender, reason, now_);
    }

    /// @dev Returns whether the caller acts as the council; reverts when it may not act at all.
    function _authorize(address issuer, bytes32 root, Status status) private view returns (bool byCouncil) {
        // Towards invalid: open to the issuer, unless its key was declared compromised (whoever holds the key then must
        // not revoke the certificates issued before the cut-off). Back to valid: the council, or the issuer while active.
        if (msg.sender == issuer && status != Status.Valid && _partners.compromisedAfter(issuer) == 0) return false;
        if (_partners.isActiveCouncil(msg.sender)) return true;
        if (msg.sender == issuer && _partners.isActiveIssuer(msg.sender)) return false;
        revert CertificateRegistryUnauthorized(msg.sender, root);
    }

    function _checkProof(bytes32 root, bytes32 leaf, bytes32[] calldata proof) private pure {
        if (leaf == bytes32(0) || !MerkleProof.verifyCalldata(proof, root, leaf)) {
            revert CertificateRegistryInvalidProof(root, leaf);
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
