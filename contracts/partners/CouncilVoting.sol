// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IPartnerRegistry} from "./IPartnerRegistry.sol";
import {PartnerStanding} from "./PartnerStanding.sol";

/**
 * @title CouncilVoting
 * @notice Council proposals: creation with the proposer's yes vote, votes, the majority count, and execution.
 * @dev Votes are bitmaps over council seats ({PartnerStanding}): the yes votes that count at execution are one AND of
 * a proposal's yes bitmap with the bitmap of seats whose holder is active council now, whoever has left, been
 * suspended or lost the right since, and a vote costs one warm-ish word update instead of a new storage slot per
 * voter. What a proposal does when executed is the deriving contract's {_carryOut}.
 */
abstract contract CouncilVoting is PartnerStanding {
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
    uint256 private _proposalCount;
    mapping(uint256 proposalId => StoredProposal) private _proposals;

    /// @notice Sets how long proposals stay open for votes.
    /// @param votingPeriod_ Seconds a proposal stays open for votes; not 0.
    constructor(uint48 votingPeriod_) {
        if (votingPeriod_ == 0) revert PartnerRegistryInvalidFounding();
        _votingPeriod = votingPeriod_;
    }

    /// @inheritdoc IPartnerRegistry
    function vote(uint256 proposalId, bool support) external {
        _vote(msg.sender, proposalId, support);
    }

    /// @inheritdoc IPartnerRegistry
    function execute(uint256 proposalId) external {
        _execute(msg.sender, proposalId);
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
    function votingPeriod() external view returns (uint48) {
        return _votingPeriod;
    }

    /**
     * @notice Reverts unless `account` is an active council member.
     * @param account The caller, or the signer of a signed action.
     */
    function _checkCouncil(address account) internal view {
        if (!isActiveCouncil(account)) revert PartnerRegistryNotCouncil(account);
    }

    /**
     * @notice Records `voter`'s vote (the caller, or the signer of a signed action).
     * @param voter The council member.
     * @param proposalId The proposal.
     * @param support Whether the vote is yes.
     */
    function _vote(address voter, uint256 proposalId, bool support) internal {
        _checkCouncil(voter);
        StoredProposal storage p = _openProposal(proposalId);
        uint256 bit = _seatBit(voter);
        (uint256 yes, uint256 no) = (p.yesSeats, p.noSeats);
        if ((yes | no) & bit != 0) revert PartnerRegistryAlreadyVoted(proposalId, voter);
        if (support) p.yesSeats = yes |= bit;
        else p.noSeats = no |= bit;
        emit VoteCast(proposalId, voter, support, _popcount(yes), _popcount(no));
    }

    /**
     * @notice Carries out a proposal with a majority, for `executor` (named in the event; anyone may execute).
     * @param executor The caller, or the signer of a signed action.
     * @param proposalId The proposal.
     */
    function _execute(address executor, uint256 proposalId) internal {
        StoredProposal storage p = _openProposal(proposalId);
        uint256 active = _activeCouncilSeats;
        uint32 counted = _popcount(p.yesSeats & active);
        uint32 council = _popcount(active);
        uint32 larger = council > p.councilAtProposal ? council : p.councilAtProposal;
        uint32 required = larger / 2 + 1;
        if (counted < required) revert PartnerRegistryQuorumNotReached(proposalId, counted, required);
        p.executed = true;
        _carryOut(proposalId, p);
        emit ProposalExecuted(proposalId, executor, counted, required);
    }

    /**
     * @notice Stores a proposal with the proposer's yes vote and emits {ProposalCreated}; the caller emits the proposer's
     * {VoteCast} after any event that belongs right after {ProposalCreated} ({DetailsProposed}), as the interface
     * documents.
     * @param proposer The council member making it (the caller, or the signer of a signed action).
     * @param kind What the proposal does.
     * @param subject The partner, or for a certificate decision the certificate registry.
     * @param rights The rights it grants or withdraws (Admit, GrantRights, WithdrawRights), else 0.
     * @param cutoff The compromise cut-off (Expel, SetCompromised), else 0.
     * @param target The details hash bound (Admit, ChangeDetails) or the certificate id (decisions), else 0.
     * @param leaf The document of a certificate decision (0 = the whole certificate).
     * @param reason The reason code of a certificate decision, else 0.
     * @return proposalId The new proposal's id.
     */
    function _createProposal(
        address proposer,
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff,
        bytes32 target,
        bytes32 leaf,
        uint16 reason
    ) internal returns (uint256 proposalId) {
        proposalId = ++_proposalCount;
        uint48 deadline = uint48(block.timestamp) + _votingPeriod;
        uint16 council = uint16(_popcount(_activeCouncilSeats));
        StoredProposal storage p = _proposals[proposalId];
        (p.subject, p.kind, p.rights, p.deadline, p.councilAtProposal) = (subject, kind, rights, deadline, council);
        if (cutoff != 0 || reason != 0) (p.compromisedAfter, p.reason) = (cutoff, reason);
        p.yesSeats = _seatBit(proposer);
        if (target != bytes32(0)) p.target = target;
        if (leaf != bytes32(0)) p.leaf = leaf;
        emit ProposalCreated(
            proposalId,
            kind,
            subject,
            proposer,
            rights,
            cutoff,
            deadline,
            target,
            leaf,
            reason,
            council
        );
    }

    /**
     * @notice The target proposal `proposalId` bound when it was made (for an admission, the applicant's details hash).
     * @param proposalId The proposal.
     * @return The stored target.
     */
    function _proposalTarget(uint256 proposalId) internal view returns (bytes32) {
        return _proposals[proposalId].target;
    }

    /**
     * @notice Carries out proposal `proposalId`, which has just reached its majority and is marked executed; reverts
     * (undoing the execution) when it no longer applies.
     * @param proposalId The proposal.
     * @param p The proposal as stored.
     */
    function _carryOut(uint256 proposalId, StoredProposal storage p) internal virtual;

    /**
     * @notice The stored proposal `proposalId`, or a revert when it does not exist, was executed or has expired.
     * @param proposalId The proposal.
     * @return p The proposal as stored.
     */
    function _openProposal(uint256 proposalId) private view returns (StoredProposal storage p) {
        p = _proposals[proposalId];
        if (p.deadline == 0) revert PartnerRegistryUnknownProposal(proposalId);
        if (p.executed) revert PartnerRegistryProposalAlreadyExecuted(proposalId);
        if (block.timestamp > p.deadline) revert PartnerRegistryProposalExpired(proposalId, p.deadline);
    }
}
