// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ICertificateRegistry} from "../certificates/ICertificateRegistry.sol";
import {CouncilVoting} from "./CouncilVoting.sol";
import {IPartnerRegistry} from "./IPartnerRegistry.sol";
import {IStandingMirror} from "./IStandingMirror.sol";
import {PartnerMembership} from "./PartnerMembership.sol";
import {PartnerStanding} from "./PartnerStanding.sol";
import {SignedActions} from "../signing/SignedActions.sol";

/**
 * @title PartnerRegistry
 * @notice The consortium registry: applications, council proposals and votes, and each partner's standing over time.
 * @dev Composed of {PartnerStanding} (records, seats, issuer history, the mirror), {PartnerMembership} (applying,
 * leaving) and {CouncilVoting} (proposals and votes). This contract says what may be proposed and what each kind of
 * proposal requires and does, in one place: {_enact}.
 *
 * Every action also has a signed form ({SignedActions}): a relayer sends it and pays the gas, and the registry acts
 * for the signer exactly as for a direct call, so partners and council members keep their keys and need no ether.
 */
contract PartnerRegistry is PartnerMembership, CouncilVoting, SignedActions {
    /// @dev The proposal id {_enact} is given when a proposal is being made: ids start at 1, so 0 means check only.
    uint256 private constant _CHECK_ONLY = 0;

    bytes32 private constant _APPLY_TYPEHASH = keccak256(
        "Apply(address applicant,uint8 orgType,string displayName,string domain,bytes32 metadataHash,"
        "uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _PROPOSE_TYPEHASH = keccak256(
        "Propose(address proposer,uint8 kind,address subject,uint8 rights,uint48 cutoff,uint256 nonce,"
        "uint48 deadline)"
    );
    bytes32 private constant _PROPOSE_DETAILS_TYPEHASH = keccak256(
        "ProposeDetails(address proposer,address subject,uint8 orgType,string displayName,string domain,"
        "bytes32 metadataHash,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _PROPOSE_DECISION_TYPEHASH = keccak256(
        "ProposeCertificateDecision(address proposer,uint8 kind,address registry,bytes32 id,bytes32 leaf,"
        "uint16 reason,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _VOTE_TYPEHASH = keccak256(
        "Vote(address voter,uint256 proposalId,bool support,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _EXECUTE_TYPEHASH = keccak256(
        "Execute(address executor,uint256 proposalId,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _LEAVE_TYPEHASH = keccak256("Leave(address partner,uint256 nonce,uint48 deadline)");

    mapping(uint256 proposalId => Details) private _proposedDetails;

    /// @notice Admits the founders with their rights and binds the standing mirror, which must name this registry.
    /// @param founders The founding partners, admitted at once with their rights; at least one holds COUNCIL.
    /// @param votingPeriod_ Seconds a proposal stays open for votes.
    /// @param mirror The contract that gets every partner's standing (the certificate registry, deployed first and
    /// naming this registry's address), or 0 for a registry that no contract acts on.
    /// @param cache The contract that gets every loss of standing (the provenance registry, deployed before this
    /// registry and naming its address), or 0 for none.
    constructor(
        Founder[] memory founders,
        uint48 votingPeriod_,
        IStandingMirror mirror,
        IStandingMirror cache
    ) PartnerStanding(mirror, cache) CouncilVoting(votingPeriod_) SignedActions("Originals PartnerRegistry") {
        _checkBinding(mirror);
        _checkBinding(cache);
        for (uint256 i = 0; i < founders.length; ++i) {
            Founder memory f = founders[i];
            if (_partners[f.account].status != PartnerStatus.None) {
                revert PartnerRegistryAlreadyRegistered(f.account, _partners[f.account].status);
            }
            _checkRights(f.rights);
            _register(f.account, f.orgType, f.displayName, f.domain, f.metadataHash);
            _changeStatus(f.account, PartnerStatus.Active, 0);
            if (f.rights != 0) _changeRights(f.account, f.rights, 0);
        }
        if (_activeCouncilSeats == 0) revert PartnerRegistryInvalidFounding();
        for (uint256 i = 0; i < founders.length; ++i) {
            _pushStanding(founders[i].account, _standingOf(founders[i].account));
        }
    }

    /**
     * @notice Reverts unless `bound` (a standing mirror or cache, or 0 for none) names this registry.
     * @param bound The contract given to the constructor.
     */
    function _checkBinding(IStandingMirror bound) private view {
        if (address(bound) != address(0)) {
            address named = address(bound.partners());
            if (named != address(this)) revert PartnerRegistryMirrorMismatch(address(bound), named);
        }
    }

    /// @inheritdoc IPartnerRegistry
    function applyForMembershipBySig(
        OrganisationType orgType,
        string calldata displayName,
        string calldata domain,
        bytes32 metadataHash,
        Signed calldata by
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                _APPLY_TYPEHASH,
                by.signer,
                orgType,
                keccak256(bytes(displayName)),
                keccak256(bytes(domain)),
                metadataHash,
                by.nonce,
                by.deadline
            )
        );
        _apply(_useSigned(structHash, by), orgType, displayName, domain, metadataHash);
    }

    /// @inheritdoc IPartnerRegistry
    function leaveBySig(Signed calldata by) external {
        _leave(_useSigned(keccak256(abi.encode(_LEAVE_TYPEHASH, by.signer, by.nonce, by.deadline)), by));
    }

    /// @inheritdoc IPartnerRegistry
    function propose(
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff
    ) external returns (uint256 proposalId) {
        proposalId = _propose(msg.sender, kind, subject, rights, cutoff);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeBySig(
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff,
        Signed calldata by
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(_PROPOSE_TYPEHASH, by.signer, kind, subject, rights, cutoff, by.nonce, by.deadline)
        );
        proposalId = _propose(_useSigned(structHash, by), kind, subject, rights, cutoff);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeDetails(address subject, Details calldata details) external returns (uint256 proposalId) {
        proposalId = _proposeDetails(msg.sender, subject, details);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeDetailsBySig(
        address subject,
        Details calldata details,
        Signed calldata by
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(
                _PROPOSE_DETAILS_TYPEHASH,
                by.signer,
                subject,
                details.orgType,
                keccak256(bytes(details.displayName)),
                keccak256(bytes(details.domain)),
                details.metadataHash,
                by.nonce,
                by.deadline
            )
        );
        proposalId = _proposeDetails(_useSigned(structHash, by), subject, details);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeCertificateDecision(
        ProposalKind kind,
        ICertificateRegistry registry,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint16 reason
    ) external returns (uint256 proposalId) {
        proposalId = _proposeCertificateDecision(msg.sender, kind, registry, id, leaf, proof, reason);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeCertificateDecisionBySig(
        ProposalKind kind,
        ICertificateRegistry registry,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint16 reason,
        Signed calldata by
    ) external returns (uint256 proposalId) {
        bytes32 structHash = keccak256(
            abi.encode(_PROPOSE_DECISION_TYPEHASH, by.signer, kind, registry, id, leaf, reason, by.nonce, by.deadline)
        );
        proposalId = _proposeCertificateDecision(_useSigned(structHash, by), kind, registry, id, leaf, proof, reason);
    }

    /// @inheritdoc IPartnerRegistry
    function voteBySig(uint256 proposalId, bool support, Signed calldata by) external {
        bytes32 structHash = keccak256(
            abi.encode(_VOTE_TYPEHASH, by.signer, proposalId, support, by.nonce, by.deadline)
        );
        _vote(_useSigned(structHash, by), proposalId, support);
    }

    /// @inheritdoc IPartnerRegistry
    function executeBySig(uint256 proposalId, Signed calldata by) external {
        bytes32 structHash = keccak256(abi.encode(_EXECUTE_TYPEHASH, by.signer, proposalId, by.nonce, by.deadline));
        _execute(_useSigned(structHash, by), proposalId);
    }

    /**
     * @notice A partner proposal by `proposer` (the caller, or the signer of a signed action).
     * @param proposer The council member.
     * @param kind What the proposal does (not ChangeDetails, not a certificate decision).
     * @param subject The partner.
     * @param rights The rights, as {propose} says.
     * @param cutoff The compromise cut-off, as {propose} says.
     * @return proposalId The new proposal's id.
     */
    function _propose(
        address proposer,
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff
    ) private returns (uint256 proposalId) {
        _checkCouncil(proposer);
        if (kind >= ProposalKind.ChangeDetails && kind != ProposalKind.SetCompromised) {
            revert PartnerRegistryWrongProposeFunction(kind);
        }
        _enact(_CHECK_ONLY, kind, subject, rights, cutoff);
        bytes32 target = kind == ProposalKind.Admit ? _partners[subject].detailsHash : bytes32(0);
        proposalId = _createProposal(proposer, kind, subject, rights, cutoff, target, bytes32(0), 0);
        emit VoteCast(proposalId, proposer, true, 1, 0);
    }

    /**
     * @notice A details change proposed by `proposer` (the caller, or the signer of a signed action).
     * @param proposer The council member.
     * @param subject The partner.
     * @param details The details proposed.
     * @return proposalId The new proposal's id.
     */
    function _proposeDetails(
        address proposer,
        address subject,
        Details calldata details
    ) private returns (uint256 proposalId) {
        _checkCouncil(proposer);
        _enact(_CHECK_ONLY, ProposalKind.ChangeDetails, subject, 0, 0);
        if (bytes(details.displayName).length == 0) revert PartnerRegistryEmptyDisplayName();
        bytes32 target = detailsHash(details);
        proposalId = _createProposal(proposer, ProposalKind.ChangeDetails, subject, 0, 0, target, bytes32(0), 0);
        _proposedDetails[proposalId] = details;
        emit DetailsProposed(proposalId, details.orgType, details.displayName, details.domain, details.metadataHash);
        emit VoteCast(proposalId, proposer, true, 1, 0);
    }

    /**
     * @notice A certificate decision proposed by `proposer` (the caller, or the signer of a signed action).
     * @param proposer The council member.
     * @param kind RevokeCertificate or LiftCertificateSuspension.
     * @param registry The certificate registry.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param proof The Merkle proof of `leaf`.
     * @param reason The reason code.
     * @return proposalId The new proposal's id.
     */
    function _proposeCertificateDecision(
        address proposer,
        ProposalKind kind,
        ICertificateRegistry registry,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint16 reason
    ) private returns (uint256 proposalId) {
        _checkCouncil(proposer);
        registry.checkCouncilDecision(id, leaf, proof, _decisionStatus(kind));
        proposalId = _createProposal(proposer, kind, address(registry), 0, 0, id, leaf, reason);
        emit VoteCast(proposalId, proposer, true, 1, 0);
    }

    /**
     * @notice A certificate decision is carried out by the certificate registry named as its subject, which re-checks
     * the transition and reverts (undoing this execution) when it no longer applies; any other kind by {_enact},
     * after which the partner's standing goes to the mirror if it changed.
     * @param proposalId The proposal.
     * @param p The proposal as stored.
     */
    function _carryOut(uint256 proposalId, StoredProposal storage p) internal override {
        (address subject, ProposalKind kind) = (p.subject, p.kind);
        if (kind >= ProposalKind.RevokeCertificate) {
            ICertificateRegistry(subject).applyCouncilDecision(p.target, p.leaf, _decisionStatus(kind), p.reason);
            return;
        }
        Standing memory before = _standingOf(subject);
        _enact(proposalId, kind, subject, p.rights, p.compromisedAfter);
        _pushStandingIfChanged(subject, before);
    }

    /**
     * @notice What each kind of partner proposal requires of its subject as it stands now, and what it does: the one
     * switch over the kind. With `proposalId` = {_CHECK_ONLY} (a proposal being made) it only reverts when `kind`
     * does not apply; with the id of a proposal being executed it checks again and makes the change. Certificate
     * decisions never come here ({propose} refuses them, {_carryOut} hands them to the certificate registry).
     * @param proposalId The proposal being executed, or {_CHECK_ONLY}.
     * @param kind What the proposal does.
     * @param subject The partner it applies to.
     * @param rights Admit: the rights granted with admission; GrantRights and WithdrawRights: which ones; else 0.
     * @param cutoff Expel: the compromise cut-off (0 for none); SetCompromised: the cut-off (not 0); else 0.
     */
    function _enact(uint256 proposalId, ProposalKind kind, address subject, uint8 rights, uint48 cutoff) private {
        StoredPartner storage s = _partners[subject];
        PartnerStatus status = s.status;
        if (kind == ProposalKind.Admit) {
            _checkNoCutoff(cutoff);
            _checkRights(rights);
            _checkStatus(subject, status, status == PartnerStatus.Applied);
            if (proposalId == _CHECK_ONLY) return;
            bytes32 bound = _proposalTarget(proposalId);
            bytes32 actual = s.detailsHash;
            if (actual != bound) revert PartnerRegistryDetailsChanged(subject, bound, actual);
            _changeStatus(subject, PartnerStatus.Active, proposalId);
            if (rights != 0) _changeRights(subject, rights, proposalId);
        } else if (kind == ProposalKind.Suspend) {
            _checkNoCutoff(cutoff);
            _checkStatus(subject, status, status == PartnerStatus.Active);
            if (proposalId == _CHECK_ONLY) return;
            _changeStatus(subject, PartnerStatus.Suspended, proposalId);
        } else if (kind == ProposalKind.Reinstate) {
            _checkNoCutoff(cutoff);
            _checkStatus(subject, status, status == PartnerStatus.Suspended);
            if (proposalId == _CHECK_ONLY) return;
            _changeStatus(subject, PartnerStatus.Active, proposalId);
        } else if (kind == ProposalKind.Expel) {
            _checkEarlierCutoff(s.compromisedAfter, cutoff);
            _checkStatus(subject, status, status == PartnerStatus.Active || status == PartnerStatus.Suspended);
            if (proposalId == _CHECK_ONLY) return;
            uint8 held = s.rights;
            if (cutoff != 0) _setCompromised(subject, cutoff, proposalId);
            _changeStatus(subject, PartnerStatus.Expelled, proposalId);
            if (held != 0) _changeRights(subject, 0, proposalId);
        } else if (kind == ProposalKind.GrantRights || kind == ProposalKind.WithdrawRights) {
            _checkNoCutoff(cutoff);
            _checkStatus(subject, status, status == PartnerStatus.Active || status == PartnerStatus.Suspended);
            if (rights == 0) revert PartnerRegistryInvalidRights(rights);
            _checkRights(rights);
            uint8 held = s.rights;
            bool grant = kind == ProposalKind.GrantRights;
            if (grant ? held & rights == rights : held & rights == 0) {
                revert PartnerRegistryRightsUnchanged(subject, rights);
            }
            if (proposalId == _CHECK_ONLY) return;
            _changeRights(subject, grant ? held | rights : held & ~rights, proposalId);
        } else if (kind == ProposalKind.ChangeDetails) {
            _checkNoCutoff(cutoff);
            _checkStatus(subject, status, status == PartnerStatus.Active || status == PartnerStatus.Suspended);
            if (proposalId == _CHECK_ONLY) return;
            _changeDetails(subject, _proposedDetails[proposalId], proposalId);
        } else {
            // SetCompromised: a partner that was ever admitted, at any time after, also once expelled or gone.
            if (cutoff == 0) revert PartnerRegistryInvalidCutoff(cutoff);
            _checkEarlierCutoff(s.compromisedAfter, cutoff);
            _checkStatus(subject, status, status != PartnerStatus.None && status != PartnerStatus.Applied);
            if (proposalId == _CHECK_ONLY) return;
            _setCompromised(subject, cutoff, proposalId);
        }
    }

    /**
     * @notice The one rule on a compromise cut-off: it never lies in the future and only ever moves earlier (a later one
     * would bring back certificates already declared invalid).
     * @param existing The partner's cut-off now (0 when none).
     * @param cutoff The proposed cut-off (0 = none, for an expulsion).
     */
    function _checkEarlierCutoff(uint48 existing, uint48 cutoff) private view {
        if (cutoff > block.timestamp || (existing != 0 && cutoff >= existing)) {
            revert PartnerRegistryInvalidCutoff(cutoff);
        }
    }

    /**
     * @notice Reverts when a cut-off was given to a proposal kind that takes none.
     * @param cutoff The proposed cut-off.
     */
    function _checkNoCutoff(uint48 cutoff) private pure {
        if (cutoff != 0) revert PartnerRegistryInvalidCutoff(cutoff);
    }

    /**
     * @notice Reverts with the subject's status unless the proposal kind allows it.
     * @param subject The partner.
     * @param status Its status now.
     * @param allowed Whether the kind applies to a partner in `status`.
     */
    function _checkStatus(address subject, PartnerStatus status, bool allowed) private pure {
        if (!allowed) revert PartnerRegistryInvalidStatus(subject, status);
    }

    /**
     * @notice The certificate status a council decision of `kind` sets.
     * @param kind RevokeCertificate or LiftCertificateSuspension.
     * @return The status the certificate registry is asked to set.
     */
    function _decisionStatus(ProposalKind kind) private pure returns (ICertificateRegistry.Status) {
        if (kind == ProposalKind.RevokeCertificate) return ICertificateRegistry.Status.Revoked;
        if (kind == ProposalKind.LiftCertificateSuspension) return ICertificateRegistry.Status.Valid;
        revert PartnerRegistryWrongProposeFunction(kind);
    }
}
