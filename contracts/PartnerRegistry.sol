// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IPartnerRegistry} from "./interfaces/IPartnerRegistry.sol";

/**
 * @title PartnerRegistry
 * @notice The consortium registry: applications, council proposals and votes, and each partner's standing over time.
 * @dev Standing as an issuer is kept as a timestamp-keyed checkpoint trace (1 = active issuer, 0 = not), so the
 * history question "was X an active issuer at T?" costs one binary search and nothing is ever deleted.
 */
contract PartnerRegistry is IPartnerRegistry {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Right to issue certificates.
    uint8 public constant ISSUER = 1;
    /// @notice Right to propose and vote, and to act on any certificate.
    uint8 public constant COUNCIL = 2;
    uint8 private constant _ALL_RIGHTS = ISSUER | COUNCIL;

    uint48 private immutable _votingPeriod;
    uint256 private _proposalCount;
    uint256 private _activeCouncil;
    mapping(address account => Partner) private _partners;
    mapping(address account => Checkpoints.Trace208) private _issuerStanding;
    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => mapping(address voter => bool)) private _voted;

    modifier onlyCouncil() {
        if (!isActiveCouncil(msg.sender)) revert PartnerRegistryNotCouncil(msg.sender);
        _;
    }

    /// @param founders The founding partners, admitted at once with their rights; at least one holds COUNCIL.
    /// @param votingPeriod_ Seconds a proposal stays open for votes.
    constructor(Founder[] memory founders, uint48 votingPeriod_) {
        if (votingPeriod_ == 0) revert PartnerRegistryInvalidFounding();
        _votingPeriod = votingPeriod_;
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
        if (_activeCouncil == 0) revert PartnerRegistryInvalidFounding();
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
        _checkApplicable(kind, subject, rights, cutoff);
        proposalId = ++_proposalCount;
        uint48 deadline = uint48(block.timestamp) + _votingPeriod;
        _proposals[proposalId] = Proposal({
            subject: subject,
            kind: kind,
            rights: rights,
            executed: false,
            deadline: deadline,
            compromisedAfter: cutoff,
            yesVotes: 1,
            noVotes: 0
        });
        _voted[proposalId][msg.sender] = true;
        emit ProposalCreated(proposalId, kind, subject, msg.sender, rights, cutoff, deadline);
        emit VoteCast(proposalId, msg.sender, true, 1, 0);
    }

    /// @inheritdoc IPartnerRegistry
    function vote(uint256 proposalId, bool support) external onlyCouncil {
        Proposal storage p = _openProposal(proposalId);
        if (_voted[proposalId][msg.sender]) revert PartnerRegistryAlreadyVoted(proposalId, msg.sender);
        _voted[proposalId][msg.sender] = true;
        if (support) ++p.yesVotes;
        else ++p.noVotes;
        emit VoteCast(proposalId, msg.sender, support, p.yesVotes, p.noVotes);
    }

    /// @inheritdoc IPartnerRegistry
    function execute(uint256 proposalId) external {
        Proposal storage p = _openProposal(proposalId);
        uint256 required = _activeCouncil / 2 + 1;
        if (p.yesVotes < required) revert PartnerRegistryQuorumNotReached(proposalId, p.yesVotes, required);
        p.executed = true;
        (address subject, ProposalKind kind, uint8 rights) = (p.subject, p.kind, p.rights);
        _checkApplicable(kind, subject, rights, p.compromisedAfter);
        uint8 held = _partners[subject].rights;
        if (kind == ProposalKind.Admit) {
            _changeStatus(subject, PartnerStatus.Active, proposalId);
            if (rights != 0) _changeRights(subject, rights, proposalId);
        } else if (kind == ProposalKind.Suspend) {
            _changeStatus(subject, PartnerStatus.Suspended, proposalId);
        } else if (kind == ProposalKind.Reinstate) {
            _changeStatus(subject, PartnerStatus.Active, proposalId);
        } else if (kind == ProposalKind.Expel) {
            if (p.compromisedAfter != 0) {
                _partners[subject].compromisedAfter = p.compromisedAfter;
                emit PartnerCompromised(subject, p.compromisedAfter, proposalId);
            }
            _changeStatus(subject, PartnerStatus.Expelled, proposalId);
            if (held != 0) _changeRights(subject, 0, proposalId);
        } else if (kind == ProposalKind.GrantRights) {
            _changeRights(subject, held | rights, proposalId);
        } else {
            _changeRights(subject, held & ~rights, proposalId);
        }
        emit ProposalExecuted(proposalId, msg.sender);
    }

    /// @inheritdoc IPartnerRegistry
    function leave() external {
        PartnerStatus status = _partners[msg.sender].status;
        if (status != PartnerStatus.Applied && status != PartnerStatus.Active && status != PartnerStatus.Suspended) {
            revert PartnerRegistryInvalidStatus(msg.sender, status);
        }
        _changeStatus(msg.sender, PartnerStatus.Left, 0);
        if (_partners[msg.sender].rights != 0) _changeRights(msg.sender, 0, 0);
    }

    /// @inheritdoc IPartnerRegistry
    function partner(address account) external view returns (Partner memory) {
        return _partners[account];
    }

    /// @inheritdoc IPartnerRegistry
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        return _proposals[proposalId];
    }

    /// @inheritdoc IPartnerRegistry
    function hasVoted(uint256 proposalId, address voter) external view returns (bool) {
        return _voted[proposalId][voter];
    }

    /// @inheritdoc IPartnerRegistry
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IPartnerRegistry
    function activeCouncilCount() external view returns (uint256) {
        return _activeCouncil;
    }

    /// @inheritdoc IPartnerRegistry
    function votingPeriod() external view returns (uint48) {
        return _votingPeriod;
    }

    /// @inheritdoc IPartnerRegistry
    function isActiveIssuer(address account) public view returns (bool) {
        Partner storage p = _partners[account];
        return p.status == PartnerStatus.Active && p.rights & ISSUER != 0;
    }

    /// @inheritdoc IPartnerRegistry
    function isActiveCouncil(address account) public view returns (bool) {
        Partner storage p = _partners[account];
        return p.status == PartnerStatus.Active && p.rights & COUNCIL != 0;
    }

    /// @inheritdoc IPartnerRegistry
    function wasActiveIssuerAt(address account, uint48 timestamp) external view returns (bool) {
        uint48 cutoff = _partners[account].compromisedAfter;
        if (cutoff != 0 && timestamp >= cutoff) return false;
        return _issuerStanding[account].upperLookupRecent(timestamp) == 1;
    }

    /// @inheritdoc IPartnerRegistry
    function compromisedAfter(address account) external view returns (uint48) {
        return _partners[account].compromisedAfter;
    }

    function _register(
        address account,
        OrganisationType orgType,
        string memory displayName,
        string memory domain,
        bytes32 metadataHash
    ) private {
        if (bytes(displayName).length == 0) revert PartnerRegistryEmptyDisplayName();
        Partner storage p = _partners[account];
        p.orgType = orgType;
        p.displayName = displayName;
        p.domain = domain;
        p.metadataHash = metadataHash;
        emit PartnerRegistered(account, orgType, displayName, domain, metadataHash);
        _changeStatus(account, PartnerStatus.Applied, 0);
    }

    /// @dev The one place a status changes; keeps the council count and the issuer history in step.
    function _changeStatus(address account, PartnerStatus status, uint256 proposalId) private {
        Partner storage p = _partners[account];
        (bool wasIssuer, bool wasCouncil) = (isActiveIssuer(account), isActiveCouncil(account));
        PartnerStatus previous = p.status;
        p.status = status;
        if (previous == PartnerStatus.Applied && status == PartnerStatus.Active) p.joinedAt = uint48(block.timestamp);
        emit PartnerStatusChanged(account, previous, status, proposalId, uint48(block.timestamp));
        _syncStanding(account, wasIssuer, wasCouncil);
    }

    /// @dev The one place rights change; keeps the council count and the issuer history in step.
    function _changeRights(address account, uint8 rights, uint256 proposalId) private {
        Partner storage p = _partners[account];
        (bool wasIssuer, bool wasCouncil) = (isActiveIssuer(account), isActiveCouncil(account));
        uint8 previous = p.rights;
        p.rights = rights;
        emit PartnerRightsChanged(account, previous, rights, proposalId, uint48(block.timestamp));
        _syncStanding(account, wasIssuer, wasCouncil);
    }

    function _syncStanding(address account, bool wasIssuer, bool wasCouncil) private {
        bool council = isActiveCouncil(account);
        if (council && !wasCouncil) ++_activeCouncil;
        if (!council && wasCouncil) {
            if (_activeCouncil == 1) revert PartnerRegistryLastCouncilMember(account);
            --_activeCouncil;
        }
        bool issuer = isActiveIssuer(account);
        if (issuer != wasIssuer) _issuerStanding[account].push(uint48(block.timestamp), issuer ? 1 : 0);
    }

    function _openProposal(uint256 proposalId) private view returns (Proposal storage p) {
        p = _proposals[proposalId];
        if (p.deadline == 0) revert PartnerRegistryUnknownProposal(proposalId);
        if (p.executed) revert PartnerRegistryProposalAlreadyExecuted(proposalId);
        if (block.timestamp > p.deadline) revert PartnerRegistryProposalExpired(proposalId, p.deadline);
    }

    /// @dev Reverts unless `kind` can be applied to `subject` as it stands now (checked at proposal and execution).
    function _checkApplicable(ProposalKind kind, address subject, uint8 rights, uint48 cutoff) private view {
        Partner storage p = _partners[subject];
        PartnerStatus status = p.status;
        if (kind == ProposalKind.Expel) {
            if (cutoff > block.timestamp) revert PartnerRegistryInvalidCutoff(cutoff);
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
