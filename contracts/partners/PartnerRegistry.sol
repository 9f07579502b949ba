// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ICertificateRegistry} from "../certificates/ICertificateRegistry.sol";
import {IPartnerRegistry} from "./IPartnerRegistry.sol";
import {IStandingMirror} from "./IStandingMirror.sol";

/**
 * @title PartnerRegistry
 * @notice The consortium registry: applications, council proposals and votes, and each partner's standing over time.
 * @dev Standing as an issuer is kept as a history of timestamped changes (active issuer or not), its length packed in
 * the partner's first slot, so the history question "was X an active issuer at T?" costs one binary search, a change
 * costs one new slot, and nothing is ever deleted.
 *
 * Votes are bitmaps over council seats: a partner gets a seat (1..256, never reused) the first time it holds the
 * council right, and the registry keeps the bitmap of seats whose holder is active council now. A proposal's yes
 * votes that count at execution are then one AND of two words, whoever has left, been suspended or lost the right
 * since, and a vote costs one warm-ish word update instead of a new storage slot per voter.
 *
 * Every change of a partner's {Standing} (issuer, council, compromise cut-off) is pushed in the same transaction to the
 * standing mirror (the certificate registry), which then checks standing with one storage read of its own instead of
 * a call here: see {IStandingMirror}.
 */
contract PartnerRegistry is IPartnerRegistry {
    /// @notice Right to issue certificates.
    uint8 public constant ISSUER = 1;
    /// @notice Right to propose and vote, and to act on any certificate.
    uint8 public constant COUNCIL = 2;
    uint8 private constant _ALL_RIGHTS = ISSUER | COUNCIL;

    uint16 private constant _MAX_SEATS = 256;

    /// @dev A partner as stored: {Partner} plus the length of its issuer history, in the slot a status change
    /// writes anyway, so recording a change of standing costs one new slot (the change), not two.
    struct StoredPartner {
        OrganisationType orgType;
        PartnerStatus status;
        uint8 rights;
        uint48 joinedAt;
        uint48 compromisedAfter;
        uint16 councilSeat;
        uint32 issuerChanges;
        bytes32 detailsHash;
        bytes32 metadataHash;
        string displayName;
        string domain;
    }

    /// @dev One change of standing as an issuer: from `at` on, the partner is (or is not) an active issuer.
    struct IssuerChange {
        uint48 at;
        bool active;
    }

    /// @dev A proposal as stored: the yes and no votes are bitmaps over council seats (bit `seat - 1`).
    struct StoredProposal {
        address subject;
        ProposalKind kind;
        uint8 rights;
        bool executed;
        uint48 deadline;
        uint16 councilAtProposal;
        uint48 compromisedAfter;
        uint16 reason;
        uint256 yesSeats;
        uint256 noSeats;
        bytes32 target;
        bytes32 leaf;
    }

    uint48 private immutable _votingPeriod;
    IStandingMirror private immutable _mirror;
    uint256 private _proposalCount;
    /// @dev Bit `seat - 1` is set while that seat's holder is an active council member.
    uint256 private _activeCouncilSeats;
    uint16 private _seatsGiven;
    mapping(address account => StoredPartner) private _partners;
    /// @dev Each partner's changes of issuer standing, oldest first (`issuerChanges` of them), never deleted.
    mapping(address account => mapping(uint256 index => IssuerChange)) private _issuerHistory;
    mapping(uint256 proposalId => StoredProposal) private _proposals;
    mapping(uint256 proposalId => Details) private _proposedDetails;

    modifier onlyCouncil() {
        if (!isActiveCouncil(msg.sender)) revert PartnerRegistryNotCouncil(msg.sender);
        _;
    }

    /// @param founders The founding partners, admitted at once with their rights; at least one holds COUNCIL.
    /// @param votingPeriod_ Seconds a proposal stays open for votes.
    /// @param mirror The contract that gets every partner's standing (the certificate registry, deployed first and
    /// naming this registry's address), or 0 for a registry that no contract acts on.
    constructor(Founder[] memory founders, uint48 votingPeriod_, IStandingMirror mirror) {
        if (votingPeriod_ == 0) revert PartnerRegistryInvalidFounding();
        if (address(mirror) != address(0)) {
            address named = address(mirror.partners());
            if (named != address(this)) revert PartnerRegistryMirrorMismatch(address(mirror), named);
        }
        _votingPeriod = votingPeriod_;
        _mirror = mirror;
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

    /// @inheritdoc IPartnerRegistry
    function applyForMembership(
        OrganisationType orgType,
        string calldata displayName,
        string calldata domain,
        bytes32 metadataHash
    ) external {
        PartnerStatus status = _partners[msg.sender].status;
        if (status != PartnerStatus.None && status != PartnerStatus.Left) {
            revert PartnerRegistryAlreadyRegistered(msg.sender, status);
        }
        _register(msg.sender, orgType, displayName, domain, metadataHash);
    }

    /// @inheritdoc IPartnerRegistry
    function propose(
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff
    ) external onlyCouncil returns (uint256 proposalId) {
        if (kind >= ProposalKind.ChangeDetails && kind != ProposalKind.SetCompromised) {
            revert PartnerRegistryWrongProposeFunction(kind);
        }
        _checkApplicable(kind, subject, rights, cutoff);
        bytes32 target = kind == ProposalKind.Admit ? _partners[subject].detailsHash : bytes32(0);
        proposalId = _createProposal(kind, subject, rights, cutoff, target, bytes32(0), 0);
        emit VoteCast(proposalId, msg.sender, true, 1, 0);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeDetails(
        address subject,
        Details calldata details
    ) external onlyCouncil returns (uint256 proposalId) {
        _checkApplicable(ProposalKind.ChangeDetails, subject, 0, 0);
        if (bytes(details.displayName).length == 0) revert PartnerRegistryEmptyDisplayName();
        proposalId = _createProposal(ProposalKind.ChangeDetails, subject, 0, 0, detailsHash(details), bytes32(0), 0);
        _proposedDetails[proposalId] = details;
        emit DetailsProposed(proposalId, details.orgType, details.displayName, details.domain, details.metadataHash);
        emit VoteCast(proposalId, msg.sender, true, 1, 0);
    }

    /// @inheritdoc IPartnerRegistry
    function proposeCertificateDecision(
        ProposalKind kind,
        ICertificateRegistry registry,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint16 reason
    ) external onlyCouncil returns (uint256 proposalId) {
        registry.checkCouncilDecision(id, leaf, proof, _decisionStatus(kind));
        proposalId = _createProposal(kind, address(registry), 0, 0, id, leaf, reason);
        emit VoteCast(proposalId, msg.sender, true, 1, 0);
    }

    /// @inheritdoc IPartnerRegistry
    function vote(uint256 proposalId, bool support) external onlyCouncil {
        StoredProposal storage p = _openProposal(proposalId);
        uint256 bit = _seatBit(msg.sender);
        (uint256 yes, uint256 no) = (p.yesSeats, p.noSeats);
        if ((yes | no) & bit != 0) revert PartnerRegistryAlreadyVoted(proposalId, msg.sender);
        if (support) p.yesSeats = yes |= bit;
        else p.noSeats = no |= bit;
        emit VoteCast(proposalId, msg.sender, support, _popcount(yes), _popcount(no));
    }

    /// @inheritdoc IPartnerRegistry
    function execute(uint256 proposalId) external {
        StoredProposal storage p = _openProposal(proposalId);
        uint256 active = _activeCouncilSeats;
        uint32 counted = _popcount(p.yesSeats & active);
        uint32 council = _popcount(active);
        uint32 larger = council > p.councilAtProposal ? council : p.councilAtProposal;
        uint32 required = larger / 2 + 1;
        if (counted < required) revert PartnerRegistryQuorumNotReached(proposalId, counted, required);
        p.executed = true;
        (address subject, ProposalKind kind, uint8 rights) = (p.subject, p.kind, p.rights);
        if (kind >= ProposalKind.RevokeCertificate) {
            // The registry re-checks the transition and reverts (undoing this execution) when it no longer applies.
            ICertificateRegistry(subject).applyCouncilDecision(p.target, p.leaf, _decisionStatus(kind), p.reason);
            emit ProposalExecuted(proposalId, msg.sender, counted, required);
            return;
        }
        _checkApplicable(kind, subject, rights, p.compromisedAfter);
        Standing memory before = _standingOf(subject);
        uint8 held = _partners[subject].rights;
        if (kind == ProposalKind.Admit) {
            bytes32 actual = _partners[subject].detailsHash;
            if (actual != p.target) revert PartnerRegistryDetailsChanged(subject, p.target, actual);
            _changeStatus(subject, PartnerStatus.Active, proposalId);
            if (rights != 0) _changeRights(subject, rights, proposalId);
        } else if (kind == ProposalKind.Suspend) {
            _changeStatus(subject, PartnerStatus.Suspended, proposalId);
        } else if (kind == ProposalKind.Reinstate) {
            _changeStatus(subject, PartnerStatus.Active, proposalId);
        } else if (kind == ProposalKind.Expel) {
            if (p.compromisedAfter != 0) _setCompromised(subject, p.compromisedAfter, proposalId);
            _changeStatus(subject, PartnerStatus.Expelled, proposalId);
            if (held != 0) _changeRights(subject, 0, proposalId);
        } else if (kind == ProposalKind.GrantRights) {
            _changeRights(subject, held | rights, proposalId);
        } else if (kind == ProposalKind.WithdrawRights) {
            _changeRights(subject, held & ~rights, proposalId);
        } else if (kind == ProposalKind.ChangeDetails) {
            Details memory d = _proposedDetails[proposalId];
            _setDetails(subject, d);
            emit PartnerDetailsChanged(
                subject,
                d.orgType,
                d.displayName,
                d.domain,
                d.metadataHash,
                proposalId,
                uint48(block.timestamp)
            );
        } else {
            _setCompromised(subject, p.compromisedAfter, proposalId);
        }
        _pushStandingIfChanged(subject, before);
        emit ProposalExecuted(proposalId, msg.sender, counted, required);
    }

    /// @inheritdoc IPartnerRegistry
    function leave() external {
        PartnerStatus status = _partners[msg.sender].status;
        if (status != PartnerStatus.Applied && status != PartnerStatus.Active && status != PartnerStatus.Suspended) {
            revert PartnerRegistryInvalidStatus(msg.sender, status);
        }
        Standing memory before = _standingOf(msg.sender);
        _changeStatus(msg.sender, PartnerStatus.Left, 0);
        if (_partners[msg.sender].rights != 0) _changeRights(msg.sender, 0, 0);
        _pushStandingIfChanged(msg.sender, before);
    }

    /// @inheritdoc IPartnerRegistry
    function partner(address account) external view returns (Partner memory) {
        StoredPartner storage p = _partners[account];
        return
            Partner({
                orgType: p.orgType,
                status: p.status,
                rights: p.rights,
                joinedAt: p.joinedAt,
                compromisedAfter: p.compromisedAfter,
                councilSeat: p.councilSeat,
                detailsHash: p.detailsHash,
                metadataHash: p.metadataHash,
                displayName: p.displayName,
                domain: p.domain
            });
    }

    /// @inheritdoc IPartnerRegistry
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        StoredProposal storage p = _proposals[proposalId];
        return
            Proposal({
                subject: p.subject,
                kind: p.kind,
                rights: p.rights,
                executed: p.executed,
                deadline: p.deadline,
                councilAtProposal: p.councilAtProposal,
                compromisedAfter: p.compromisedAfter,
                reason: p.reason,
                yesVotes: _popcount(p.yesSeats),
                noVotes: _popcount(p.noSeats),
                target: p.target,
                leaf: p.leaf
            });
    }

    /// @inheritdoc IPartnerRegistry
    function hasVoted(uint256 proposalId, address voter) external view returns (bool) {
        uint16 seat = _partners[voter].councilSeat;
        if (seat == 0) return false;
        StoredProposal storage p = _proposals[proposalId];
        return (p.yesSeats | p.noSeats) & (uint256(1) << (seat - 1)) != 0;
    }

    /// @inheritdoc IPartnerRegistry
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IPartnerRegistry
    function activeCouncilCount() external view returns (uint256) {
        return _popcount(_activeCouncilSeats);
    }

    /// @inheritdoc IPartnerRegistry
    function votingPeriod() external view returns (uint48) {
        return _votingPeriod;
    }

    /// @inheritdoc IPartnerRegistry
    function standingMirror() external view returns (IStandingMirror) {
        return _mirror;
    }

    /// @inheritdoc IPartnerRegistry
    function isActiveIssuer(address account) public view returns (bool) {
        StoredPartner storage p = _partners[account];
        return p.status == PartnerStatus.Active && p.rights & ISSUER != 0;
    }

    /// @inheritdoc IPartnerRegistry
    function isActiveCouncil(address account) public view returns (bool) {
        StoredPartner storage p = _partners[account];
        return p.status == PartnerStatus.Active && p.rights & COUNCIL != 0;
    }

    /// @inheritdoc IPartnerRegistry
    function wasActiveIssuerAt(address account, uint48 timestamp) external view returns (bool) {
        uint48 cutoff = _partners[account].compromisedAfter;
        if (cutoff != 0 && timestamp >= cutoff) return false;
        // The last change at or before `timestamp` (binary search over the history, oldest first).
        mapping(uint256 => IssuerChange) storage history = _issuerHistory[account];
        (uint256 low, uint256 high) = (0, _partners[account].issuerChanges);
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (history[mid].at > timestamp) high = mid;
            else low = mid + 1;
        }
        return low != 0 && history[low - 1].active;
    }

    /// @inheritdoc IPartnerRegistry
    function compromisedAfter(address account) external view returns (uint48) {
        return _partners[account].compromisedAfter;
    }

    /// @inheritdoc IPartnerRegistry
    function detailsHash(Details memory details) public pure returns (bytes32) {
        return keccak256(abi.encode(details.orgType, details.displayName, details.domain, details.metadataHash));
    }

    function _register(
        address account,
        OrganisationType orgType,
        string memory displayName,
        string memory domain,
        bytes32 metadataHash
    ) private {
        if (bytes(displayName).length == 0) revert PartnerRegistryEmptyDisplayName();
        _setDetails(account, Details(orgType, displayName, domain, metadataHash));
        emit PartnerRegistered(account, orgType, displayName, domain, metadataHash);
        _changeStatus(account, PartnerStatus.Applied, 0);
    }

    function _setDetails(address account, Details memory d) private {
        StoredPartner storage p = _partners[account];
        p.orgType = d.orgType;
        p.displayName = d.displayName;
        p.domain = d.domain;
        p.metadataHash = d.metadataHash;
        p.detailsHash = detailsHash(d);
    }

    function _setCompromised(address account, uint48 cutoff, uint256 proposalId) private {
        _partners[account].compromisedAfter = cutoff;
        emit PartnerCompromised(account, cutoff, proposalId);
    }

    /// @dev Stores a proposal with the proposer's yes vote and emits ProposalCreated; the caller emits the proposer's
    /// VoteCast after any event that belongs right after ProposalCreated (DetailsProposed), as the interface documents.
    function _createProposal(
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff,
        bytes32 target,
        bytes32 leaf,
        uint16 reason
    ) private returns (uint256 proposalId) {
        proposalId = ++_proposalCount;
        uint48 deadline = uint48(block.timestamp) + _votingPeriod;
        uint16 council = uint16(_popcount(_activeCouncilSeats));
        StoredProposal storage p = _proposals[proposalId];
        (p.subject, p.kind, p.rights, p.deadline, p.councilAtProposal) = (subject, kind, rights, deadline, council);
        if (cutoff != 0 || reason != 0) (p.compromisedAfter, p.reason) = (cutoff, reason);
        p.yesSeats = _seatBit(msg.sender);
        if (target != bytes32(0)) p.target = target;
        if (leaf != bytes32(0)) p.leaf = leaf;
        emit ProposalCreated(
            proposalId,
            kind,
            subject,
            msg.sender,
            rights,
            cutoff,
            deadline,
            target,
            leaf,
            reason,
            council
        );
    }

    /// @dev The one place a status changes; keeps the council count and the issuer history in step.
    function _changeStatus(address account, PartnerStatus status, uint256 proposalId) private {
        StoredPartner storage p = _partners[account];
        (bool wasIssuer, bool wasCouncil) = (isActiveIssuer(account), isActiveCouncil(account));
        PartnerStatus previous = p.status;
        p.status = status;
        if (previous == PartnerStatus.Applied && status == PartnerStatus.Active) p.joinedAt = uint48(block.timestamp);
        emit PartnerStatusChanged(account, previous, status, proposalId, uint48(block.timestamp));
        _syncStanding(account, wasIssuer, wasCouncil);
    }

    /// @dev The one place rights change; keeps the council count and the issuer history in step.
    function _changeRights(address account, uint8 rights, uint256 proposalId) private {
        StoredPartner storage p = _partners[account];
        (bool wasIssuer, bool wasCouncil) = (isActiveIssuer(account), isActiveCouncil(account));
        uint8 previous = p.rights;
        p.rights = rights;
        emit PartnerRightsChanged(account, previous, rights, proposalId, uint48(block.timestamp));
        _syncStanding(account, wasIssuer, wasCouncil);
    }

    function _syncStanding(address account, bool wasIssuer, bool wasCouncil) private {
        bool council = isActiveCouncil(account);
        if (council && !wasCouncil) {
            uint16 seat = _partners[account].councilSeat;
            if (seat == 0) {
                if (_seatsGiven == _MAX_SEATS) revert PartnerRegistryCouncilFull();
                seat = ++_seatsGiven;
                _partners[account].councilSeat = seat;
            }
            _activeCouncilSeats |= uint256(1) << (seat - 1);
        }
        if (!council && wasCouncil) {
            uint256 remaining = _activeCouncilSeats & ~_seatBit(account);
            if (remaining == 0) revert PartnerRegistryLastCouncilMember(account);
            _activeCouncilSeats = remaining;
        }
        bool issuer = isActiveIssuer(account);
        if (issuer != wasIssuer) _recordIssuerChange(account, issuer);
    }

    /// @dev Appends to `account`'s issuer history; a second change in the same block replaces the first.
    function _recordIssuerChange(address account, bool active) private {
        StoredPartner storage p = _partners[account];
        uint32 n = p.issuerChanges;
        uint48 now_ = uint48(block.timestamp);
        if (n != 0 && _issuerHistory[account][n - 1].at == now_) {
            _issuerHistory[account][n - 1].active = active;
        } else {
            _issuerHistory[account][n] = IssuerChange({at: now_, active: active});
            p.issuerChanges = n + 1;
        }
    }

    /// @dev What the standing mirror holds of `account`.
    function _standingOf(address account) private view returns (Standing memory) {
        return Standing(isActiveIssuer(account), isActiveCouncil(account), _partners[account].compromisedAfter);
    }

    /// @dev Copies `account`'s standing to the mirror, so that it never acts on a stale copy. Called last, after every
    /// write of the action that changed the standing (the mirror is the registry's own, fixed at construction).
    function _pushStanding(address account, Standing memory standing) private {
        if (address(_mirror) != address(0)) _mirror.setStanding(account, standing);
    }

    /// @dev {_pushStanding} when the action changed anything the mirror holds (`before` is the standing it started from).
    function _pushStandingIfChanged(address account, Standing memory before) private {
        Standing memory now_ = _standingOf(account);
        if (
            now_.issuer != before.issuer ||
            now_.council != before.council ||
            now_.compromisedAfter != before.compromisedAfter
        ) _pushStanding(account, now_);
    }

    /// @dev The bit of `account`'s council seat in the vote bitmaps (the caller is, or was, council: it has a seat).
    function _seatBit(address account) private view returns (uint256) {
        return uint256(1) << (_partners[account].councilSeat - 1);
    }

    /// @dev The number of set bits: votes in a bitmap (at most 256 iterations, one per set bit).
    function _popcount(uint256 bits) private pure returns (uint32 n) {
        unchecked {
            while (bits != 0) {
                bits &= bits - 1;
                ++n;
            }
        }
    }

    function _decisionStatus(ProposalKind kind) private pure returns (ICertificateRegistry.Status) {
        if (kind == ProposalKind.RevokeCertificate) return ICertificateRegistry.Status.Revoked;
        if (kind == ProposalKind.LiftCertificateSuspension) return ICertificateRegistry.Status.Valid;
        revert PartnerRegistryWrongProposeFunction(kind);
    }

    function _openProposal(uint256 proposalId) private view returns (StoredProposal storage p) {
        p = _proposals[proposalId];
        if (p.deadline == 0) revert PartnerRegistryUnknownProposal(proposalId);
        if (p.executed) revert PartnerRegistryProposalAlreadyExecuted(proposalId);
        if (block.timestamp > p.deadline) revert PartnerRegistryProposalExpired(proposalId, p.deadline);
    }

    /// @dev Reverts unless `kind` can be applied to `subject` as it stands now (checked at proposal and execution).
    function _checkApplicable(ProposalKind kind, address subject, uint8 rights, uint48 cutoff) private view {
        StoredPartner storage p = _partners[subject];
        PartnerStatus status = p.status;
        if (kind == ProposalKind.Expel || kind == ProposalKind.SetCompromised) {
            // A cut-off only ever moves earlier: a later one would bring back certificates already declared invalid.
            uint48 existing = p.compromisedAfter;
            if (cutoff > block.timestamp || (existing != 0 && cutoff >= existing)) {
                revert PartnerRegistryInvalidCutoff(cutoff);
            }
            if (kind == ProposalKind.SetCompromised && cutoff == 0) revert PartnerRegistryInvalidCutoff(cutoff);
        } else if (cutoff != 0) {
            revert PartnerRegistryInvalidCutoff(cutoff);
        }
        bool allowed;
        if (kind == ProposalKind.Admit) {
            allowed = status == PartnerStatus.Applied;
            _checkRights(rights);
        } else if (kind == ProposalKind.Suspend) {
            allowed = status == PartnerStatus.Active;
        } else if (kind == ProposalKind.Reinstate) {
            allowed = status == PartnerStatus.Suspended;
        } else if (kind == ProposalKind.SetCompromised) {
            allowed = status != PartnerStatus.None && status != PartnerStatus.Applied;
        } else {
            allowed = status == PartnerStatus.Active || status == PartnerStatus.Suspended;
            if (allowed && (kind == ProposalKind.GrantRights || kind == ProposalKind.WithdrawRights)) {
                if (rights == 0) revert PartnerRegistryInvalidRights(rights);
                _checkRights(rights);
                uint8 held = p.rights & rights;
                if (kind == ProposalKind.GrantRights ? held == rights : held == 0) {
                    revert PartnerRegistryRightsUnchanged(subject, rights);
                }
            }
        }
        if (!allowed) revert PartnerRegistryInvalidStatus(subject, status);
    }

    function _checkRights(uint8 rights) private pure {
        if (rights & ~_ALL_RIGHTS != 0) revert PartnerRegistryInvalidRights(rights);
    }
}
