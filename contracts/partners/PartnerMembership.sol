// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IPartnerRegistry} from "./IPartnerRegistry.sol";
import {PartnerStanding} from "./PartnerStanding.sol";

/**
 * @title PartnerMembership
 * @notice What a partner does for itself: apply, and leave; and its record and details as verifiers see them.
 * @dev Admission, suspension and every other change by the council are {CouncilVoting} proposals, carried out by
 * {PartnerRegistry}.
 */
abstract contract PartnerMembership is PartnerStanding {
    /// @inheritdoc IPartnerRegistry
    function applyForMembership(
        OrganisationType orgType,
        string calldata displayName,
        string calldata domain,
        bytes32 metadataHash
    ) external {
        _apply(msg.sender, orgType, displayName, domain, metadataHash);
    }

    /// @inheritdoc IPartnerRegistry
    function leave() external {
        _leave(msg.sender);
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
    function detailsHash(Details memory details) public pure returns (bytes32) {
        return keccak256(abi.encode(details.orgType, details.displayName, details.domain, details.metadataHash));
    }

    /**
     * @notice `account` (the caller, or the signer of a signed action) applies to join.
     * @param account The applicant.
     * @param orgType The kind of organisation.
     * @param displayName The name shown to verifiers.
     * @param domain The applicant's web domain.
     * @param metadataHash Hash of an off-chain metadata document (0 when none).
     */
    function _apply(
        address account,
        OrganisationType orgType,
        string calldata displayName,
        string calldata domain,
        bytes32 metadataHash
    ) internal {
        PartnerStatus status = _partners[account].status;
        if (status != PartnerStatus.None && status != PartnerStatus.Left) {
            revert PartnerRegistryAlreadyRegistered(account, status);
        }
        _register(account, orgType, displayName, domain, metadataHash);
    }

    /**
     * @notice `account` (the caller, or the signer of a signed action) leaves, dropping its rights.
     * @param account The partner.
     */
    function _leave(address account) internal {
        PartnerStatus status = _partners[account].status;
        if (status != PartnerStatus.Applied && status != PartnerStatus.Active && status != PartnerStatus.Suspended) {
            revert PartnerRegistryInvalidStatus(account, status);
        }
        Standing memory before = _standingOf(account);
        _changeStatus(account, PartnerStatus.Left, 0);
        if (_partners[account].rights != 0) _changeRights(account, 0, 0);
        _pushStandingIfChanged(account, before);
    }

    /**
     * @notice Creates `account`'s record with status Applied (an application, or a founder before its admission).
     * @param account The partner.
     * @param orgType The kind of organisation.
     * @param displayName The name shown to verifiers; not empty.
     * @param domain The partner's web domain.
     * @param metadataHash Hash of an off-chain metadata document (0 when none).
     */
    function _register(
        address account,
        OrganisationType orgType,
        string memory displayName,
        string memory domain,
        bytes32 metadataHash
    ) internal {
        if (bytes(displayName).length == 0) revert PartnerRegistryEmptyDisplayName();
        _setDetails(account, Details(orgType, displayName, domain, metadataHash));
        emit PartnerRegistered(account, orgType, displayName, domain, metadataHash);
        _changeStatus(account, PartnerStatus.Applied, 0);
    }

    /**
     * @notice Gives `account` the details a council vote decided on.
     * @param account The partner.
     * @param d The details.
     * @param proposalId The executed ChangeDetails proposal.
     */
    function _changeDetails(address account, Details memory d, uint256 proposalId) internal {
        _setDetails(account, d);
        emit PartnerDetailsChanged(
            account,
            d.orgType,
            d.displayName,
            d.domain,
            d.metadataHash,
            proposalId,
            uint48(block.timestamp)
        );
    }

    /**
     * @notice Stores `account`'s details and their hash.
     * @param account The partner.
     * @param d The details.
     */
    function _setDetails(address account, Details memory d) private {
        StoredPartner storage p = _partners[account];
        p.orgType = d.orgType;
        p.displayName = d.displayName;
        p.domain = d.domain;
        p.metadataHash = d.metadataHash;
        p.detailsHash = detailsHash(d);
    }
}
