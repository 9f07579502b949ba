// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IPartnerRegistry} from "./IPartnerRegistry.sol";
import {IStandingMirror} from "./IStandingMirror.sol";

/**
 * @title PartnerStanding
 * @notice Each partner's record and standing over time: status, rights, council seat, issuer history, and the copy
 * of it pushed to the standing mirror.
 * @dev Standing as an issuer is kept as a history of timestamped changes (active issuer or not), its length packed in
 * the partner's first slot, so the history question "was X an active issuer at T?" costs one binary search, a change
 * costs one new slot, and nothing is ever deleted.
 *
 * A partner gets a council seat (1..256, never reused) the first time it holds the council right, and the bitmap of
 * seats whose holder is active council now is kept in step with every change of status or rights.
 *
 * Every change of a partner's {Standing} (issuer, council, compromise cut-off) is pushed in the same transaction to the
 * standing mirror (the certificate registry), which then checks standing with one storage read of its own instead of
 * a call here: see {IStandingMirror}.
 */
abstract contract PartnerStanding is IPartnerRegistry {
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

    IStandingMirror private immutable _mirror;
    IStandingMirror private immutable _standingCache;
    /// @dev Bit `seat - 1` is set while that seat's holder is an active council member.
    uint256 internal _activeCouncilSeats;
    uint16 private _seatsGiven;
    mapping(address account => StoredPartner) internal _partners;
    /// @dev Each partner's changes of issuer standing, oldest first (`issuerChanges` of them), never deleted.
    mapping(address account => mapping(uint256 index => IssuerChange)) private _issuerHistory;

    /// @notice Fixes the standing mirror and the standing cache, for good.
    /// @param mirror The contract that gets every partner's standing, or 0 for a registry that no contract acts on.
    /// @param cache The contract that gets every loss of standing (the provenance registry), or 0 for none.
    constructor(IStandingMirror mirror, IStandingMirror cache) {
        _mirror = mirror;
        _standingCache = cache;
    }

    /// @inheritdoc IPartnerRegistry
    function activeCouncilCount() external view returns (uint256) {
        return _popcount(_activeCouncilSeats);
    }

    /// @inheritdoc IPartnerRegistry
    function standingMirror() external view returns (IStandingMirror) {
        return _mirror;
    }

    /// @inheritdoc IPartnerRegistry
    function standingCache() external view returns (IStandingMirror) {
        return _standingCache;
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
    function isActiveIssuer(address account) public view returns (bool) {
        StoredPartner storage p = _partners[account];
        return p.status == PartnerStatus.Active && p.rights & ISSUER != 0;
    }

    /// @inheritdoc IPartnerRegistry
    function isActiveCouncil(address account) public view returns (bool) {
        StoredPartner storage p = _partners[account];
        return p.status == PartnerStatus.Active && p.rights & COUNCIL != 0;
    }

    /**
     * @notice The one place a status changes; keeps the council seats and the issuer history in step.
     * @param account The partner.
     * @param status Its new status.
     * @param proposalId The executed proposal that makes the change (0 for founders, applications and leaving).
     */
    function _changeStatus(address account, PartnerStatus status, uint256 proposalId) internal {
        StoredPartner storage p = _partners[account];
        (bool wasIssuer, bool wasCouncil) = (isActiveIssuer(account), isActiveCouncil(account));
        PartnerStatus previous = p.status;
        p.status = status;
        if (previous == PartnerStatus.Applied && status == PartnerStatus.Active) p.joinedAt = uint48(block.timestamp);
        emit PartnerStatusChanged(account, previous, status, proposalId, uint48(block.timestamp));
        _syncStanding(account, wasIssuer, wasCouncil);
    }

    /**
     * @notice The one place rights change; keeps the council seats and the issuer history in step.
     * @param account The partner.
     * @param rights Its new rights.
     * @param proposalId The executed proposal that makes the change (0 for founders and leaving).
     */
    function _changeRights(address account, uint8 rights, uint256 proposalId) internal {
        StoredPartner storage p = _partners[account];
        (bool wasIssuer, bool wasCouncil) = (isActiveIssuer(account), isActiveCouncil(account));
        uint8 previous = p.rights;
        p.rights = rights;
        emit PartnerRightsChanged(account, previous, rights, proposalId, uint48(block.timestamp));
        _syncStanding(account, wasIssuer, wasCouncil);
    }

    /**
     * @notice Declares `account`'s key compromised from `cutoff` on.
     * @param account The partner.
     * @param cutoff The compromise cut-off.
     * @param proposalId The executed proposal that declares it.
     */
    function _setCompromised(address account, uint48 cutoff, uint256 proposalId) internal {
        _partners[account].compromisedAfter = cutoff;
        emit PartnerCompromised(account, cutoff, proposalId);
    }

    /**
     * @notice Copies `account`'s standing to the mirror, so that it never acts on a stale copy. Called last, after every
     * write of the action that changed the standing (the mirror is the registry's own, fixed at construction).
     * @param account The partner.
     * @param standing Its standing now.
     */
    function _pushStanding(address account, Standing memory standing) internal {
        if (address(_mirror) != address(0)) _mirror.setStanding(account, standing);
    }

    /**
     * @notice {_pushStanding} when the action changed anything the mirror holds; and, when the partner lost standing
     * (an issuer or council right, or a compromise cut-off set or moved earlier), the same standing to the standing
     * cache, which then forgets what it had learnt of the partner (see {IPartnerRegistry-standingCache}).
     * @param account The partner.
     * @param before The standing the action started from.
     */
    function _pushStandingIfChanged(address account, Standing memory before) internal {
        Standing memory now_ = _standingOf(account);
        bool lost =
            (before.issuer && !now_.issuer) ||
                (before.council && !now_.council) ||
                now_.compromisedAfter != before.compromisedAfter;
        if (lost || now_.issuer != before.issuer || now_.council != before.council) _pushStanding(account, now_);
        // A cut-off only ever appears or moves earlier, so any change of it is a loss.
        if (lost && address(_standingCache) != address(0)) _standingCache.setStanding(account, now_);
    }

    /**
     * @notice What the standing mirror holds of `account`.
     * @param account The partner.
     * @return The partner's standing now.
     */
    function _standingOf(address account) internal view returns (Standing memory) {
        return Standing(isActiveIssuer(account), isActiveCouncil(account), _partners[account].compromisedAfter);
    }

    /**
     * @notice The bit of `account`'s council seat in the vote bitmaps.
     * @param account A partner that is, or was, council (it has a seat).
     * @return The bit `seat - 1`.
     */
    function _seatBit(address account) internal view returns (uint256) {
        return uint256(1) << (_partners[account].councilSeat - 1);
    }

    /**
     * @notice Reverts unless `rights` names only known rights.
     * @param rights A bit set of rights.
     */
    function _checkRights(uint8 rights) internal pure {
        if (rights & ~_ALL_RIGHTS != 0) revert PartnerRegistryInvalidRights(rights);
    }

    /**
     * @notice The number of set bits: votes in a bitmap (at most 256 iterations, one per set bit).
     * @param bits A bitmap over council seats.
     * @return n The number of seats in it.
     */
    function _popcount(uint256 bits) internal pure returns (uint32 n) {
        unchecked {
            while (bits != 0) {
                bits &= bits - 1;
                ++n;
            }
        }
    }

    /**
     * @notice Gives `account` a council seat the first time it becomes active council, updates the bitmap of active
     * council seats, and records a change of issuer standing.
     * @param account The partner whose status or rights just changed.
     * @param wasIssuer Whether it was an active issuer before the change.
     * @param wasCouncil Whether it was active council before the change.
     */
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

    /**
     * @notice Appends to `account`'s issuer history; a second change in the same block replaces the first.
     * @param account The partner.
     * @param active Whether it is an active issuer from now on.
     */
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
}
