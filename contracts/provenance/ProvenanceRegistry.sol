// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IPartnerRegistry} from "../partners/IPartnerRegistry.sol";
import {IStandingMirror} from "../partners/IStandingMirror.sol";
import {SignedActions} from "../signing/SignedActions.sol";
import {IProvenanceRegistry} from "./IProvenanceRegistry.sol";

/**
 * @title ProvenanceRegistry
 * @notice The provenance of originals: title, custody, lifecycle events, dispositions and lineage, registered and
 * recorded by the partners of a {PartnerRegistry}.
 * @dev Storage is one slot per original (owner, registration time, disposition, flags, epoch), written at
 * registration and rewritten warm afterwards, so that every targeted operation writes at most one new slot
 * (docs/decisions/0010-provenance.md):
 *
 * - Custody lives in two slots per original, one of them active: the active one holds the holder (unless the owner
 *   holds it, a flag), the other one the open custody offer. Accepting custody flips the active index, so the
 *   recipient's address, written by the offer, is not written again on acceptance.
 * - Every offer records the epoch it was made in; a change of owner bumps the epoch, which voids every offer made
 *   before without touching it (a 16-bit epoch: an offer would come back after 65,536 sales, never in practice).
 * - Lifecycle events, anchored batches, lineage and certificate links are logs only.
 *
 * Partners' standing is a cache: an active issuer's "may register and record" is learnt from the partner registry
 * the first time it is needed and kept; the partner registry tells this registry of every loss of standing in the
 * transaction that makes it ({IPartnerRegistry-standingCache}), which forgets it. So the cache never grants more
 * than the partner registry does, and an admission costs the partner registry no write here.
 *
 * Every owner's and holder's action has a signed form (`...BySig`, {SignedActions}) that shares its code with the
 * direct call: the code takes the acting account (the caller, or the signer), so the signer, never the relayer, is
 * checked and named in the events. Offering and reporting an incident are modifiers rather than private functions,
 * so that the compiler inlines them into both forms and the direct calls keep their gas targets.
 */
contract ProvenanceRegistry is IProvenanceRegistry, SignedActions {
    // An original's record, one word: owner (bits 0-159), registeredAt (160-207), disposition (208-215), flags
    // (216-223), epoch (224-239). An offer (or, in the active custody slot, the holder), one word: party (0-159),
    // deadline (160-207), epoch (208-223), claim (224). Words rather than structs: the hot paths read and write each
    // slot once, with no memory copies.
    uint256 private constant _ADDRESS = (1 << 160) - 1;
    uint256 private constant _DISPOSITION_SHIFT = 208;
    uint256 private constant _FLAGS_SHIFT = 216;
    uint256 private constant _EPOCH_SHIFT = 224;
    uint256 private constant _OFFER_EPOCH_SHIFT = 208;
    uint256 private constant _CLAIM_BIT = 1 << 224;

    uint256 private constant _SOULBOUND = 1;
    /// @dev Set once custody was given to someone other than the owner (the active custody slot holds them), until it
    /// comes back to the owner; while it is set, a sale leaves custody where it is.
    uint256 private constant _THIRD_PARTY_HOLDS = 2;
    /// @dev The index of the active custody slot.
    uint256 private constant _CUSTODY_INDEX = 4;

    uint256 private constant _LOST = uint256(Disposition.Lost);
    uint256 private constant _STOLEN = uint256(Disposition.Stolen);
    uint256 private constant _DESTROYED = uint256(Disposition.Destroyed);
    uint256 private constant _RECALLED = uint256(Disposition.Recalled);

    bytes32 private constant _CLAIM_TYPEHASH = keccak256(
        "Claim(bytes32 original,uint8 right,address claimant,uint48 deadline)"
    );
    bytes32 private constant _RECORD_EVENT_TYPEHASH = keccak256(
        "RecordEvent(address holder,bytes32 original,uint16 bizStep,bytes32 evidenceHash,uint48 occurredAt,"
        "address recorder,uint256 nonce,uint48 deadline)"
    );

    bytes32 private constant _HAND_OVER_TYPEHASH = keccak256(
        "HandOver(address party,bytes32 original,uint8 right,address to,uint48 offerDeadline,uint256 nonce,"
        "uint48 deadline)"
    );
    bytes32 private constant _PROPOSE_CLAIM_TYPEHASH = keccak256(
        "ProposeClaim(address party,bytes32 original,uint8 right,address key,uint48 offerDeadline,uint256 nonce,"
        "uint48 deadline)"
    );
    bytes32 private constant _TAKE_OVER_TYPEHASH = keccak256(
        "TakeOver(address recipient,bytes32 original,uint8 right,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _REJECT_OFFER_TYPEHASH = keccak256(
        "RejectOffer(address recipient,bytes32 original,uint8 right,bytes32 remarkHash,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _CANCEL_OFFER_TYPEHASH = keccak256(
        "CancelOffer(address party,bytes32 original,uint8 right,uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _ADD_EVENT_TYPEHASH = keccak256(
        "AddEvent(address holder,bytes32 original,uint16 bizStep,bytes32 evidenceHash,uint48 occurredAt,"
        "uint256 nonce,uint48 deadline)"
    );
    bytes32 private constant _LOG_INCIDENT_TYPEHASH = keccak256(
        "LogIncident(address reporter,bytes32 original,uint8 disposition,bytes32 evidenceHash,uint256 nonce,"
        "uint48 deadline)"
    );
    bytes32 private constant _CLEAR_DISPOSITION_TYPEHASH = keccak256(
        "ClearDisposition(address owner,bytes32 original,bytes32 evidenceHash,uint256 nonce,uint48 deadline)"
    );

    IPartnerRegistry private immutable _partners;
    mapping(bytes32 original => uint256 record) private _records;
    mapping(bytes32 original => uint256 offer) private _titleOffers;
    mapping(bytes32 original => uint256[2] slots) private _custody;
    /// @dev True while the account is known to be an active issuer without a cut-off (see the contract's notice).
    mapping(address account => bool) private _mayAct;
    uint256 private _clearingCount;
    mapping(uint256 clearingId => Clearing) private _clearings;

    /// @notice Names the partner registry whose partners register and record, and whose council clears reports.
    /// @param partners_ The partner registry; it is deployed later and must name this registry as its standing cache.
    constructor(IPartnerRegistry partners_) SignedActions("Originals ProvenanceRegistry") {
        _partners = partners_;
    }

    /// @inheritdoc IProvenanceRegistry
    function enrolOriginal(
        bytes32 identifier,
        address owner,
        address holder,
        bool soulbound
    ) external returns (bytes32 original) {
        original = _register(identifier, owner, holder, soulbound);
    }

    /// @inheritdoc IProvenanceRegistry
    function enrolLinked(
        bytes32 identifier,
        address owner,
        address holder,
        bool soulbound,
        bytes32[] calldata certificateIds,
        bytes32[] calldata parents
    ) external returns (bytes32 original) {
        original = _register(identifier, owner, holder, soulbound);
        for (uint256 i = 0; i < certificateIds.length; ++i) {
            emit CertificateLinked(original, certificateIds[i], msg.sender);
        }
        for (uint256 i = 0; i < parents.length; ++i) {
            bytes32 parent = parents[i];
            uint256 p = _existing(parent);
            if (msg.sender != address(uint160(p)) && msg.sender != _holderOf(parent, p)) {
                revert ProvenanceRegistryNotHolder(parent, msg.sender);
            }
            emit OriginalDerived(original, parent, msg.sender);
        }
    }

    /// @inheritdoc IProvenanceRegistry
    function handOver(
        bytes32 original,
        Right right,
        address to,
        uint48 deadline
    ) external offers(msg.sender, original, right, to, deadline, 0) {} // solhint-disable-line no-empty-blocks

    /// @inheritdoc IProvenanceRegistry
    function handOverBySig(
        bytes32 original,
        Right right,
        address to,
        uint48 offerDeadline,
        Signed calldata by
    )
        external
        offers(
            _useSigned(_offerHash(_HAND_OVER_TYPEHASH, original, right, to, offerDeadline, by), by),
            original,
            right,
            to,
            offerDeadline,
            0
        )
    {} // solhint-disable-line no-empty-blocks

    /// @inheritdoc IProvenanceRegistry
    function proposeClaim(
        bytes32 original,
        Right right,
        address key,
        uint48 deadline
    ) external offers(msg.sender, original, right, key, deadline, _CLAIM_BIT) {} // solhint-disable-line no-empty-blocks

    /// @inheritdoc IProvenanceRegistry
    function proposeClaimBySig(
        bytes32 original,
        Right right,
        address key,
        uint48 offerDeadline,
        Signed calldata by
    )
        external
        offers(
            _useSigned(_offerHash(_PROPOSE_CLAIM_TYPEHASH, original, right, key, offerDeadline, by), by),
            original,
            right,
            key,
            offerDeadline,
            _CLAIM_BIT
        )
    {} // solhint-disable-line no-empty-blocks

    /// @inheritdoc IProvenanceRegistry
    function takeOver(bytes32 original, Right right) external {
        _takeOver(msg.sender, original, right);
    }

    /// @inheritdoc IProvenanceRegistry
    function takeOverBySig(bytes32 original, Right right, Signed calldata by) external {
        bytes32 structHash = keccak256(
            abi.encode(_TAKE_OVER_TYPEHASH, by.signer, original, right, by.nonce, by.deadline)
        );
        _takeOver(_useSigned(structHash, by), original, right);
    }

    /// @inheritdoc IProvenanceRegistry
    function claim(
        bytes32 original,
        Right right,
        address claimant,
        uint48 deadline,
        bytes calldata signature
    ) external {
        uint256 recordSlot = _recordSlot(original);
        uint256 r = _movable(original, _load(recordSlot));
        uint256 offerSlot = _offerSlot(original, right, r);
        uint256 offer = _load(offerSlot);
        if (!_isOpen(offer, r)) revert ProvenanceRegistryNoOffer(original, right);
        address key = address(uint160(offer));
        if (offer & _CLAIM_BIT == 0 || claimant == address(0)) {
            revert ProvenanceRegistryInvalidClaim(original, right, claimant);
        }
        _checkUnlapsed(original, right, offer);
        if (block.timestamp > deadline) revert SignedActionExpired(key, deadline);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(_CLAIM_TYPEHASH, original, right, claimant, deadline)));
        if (!SignatureChecker.isValidSignatureNow(key, digest, signature)) {
            revert ProvenanceRegistryInvalidClaim(original, right, claimant);
        }
        _move(original, recordSlot, r, right, claimant, offerSlot);
        // Custody moved into the offer's slot, which names the key: the claimant holds it now.
        if (right == Right.Custody && claimant != address(uint160(r))) _store(offerSlot, uint160(claimant));
        emit OfferClaimed(original, key, claimant, right);
    }

    /// @inheritdoc IProvenanceRegistry
    function reject(bytes32 original, Right right, bytes32 remarkHash) external {
        _reject(msg.sender, original, right, remarkHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function rejectBySig(bytes32 original, Right right, bytes32 remarkHash, Signed calldata by) external {
        bytes32 structHash = keccak256(
            abi.encode(_REJECT_OFFER_TYPEHASH, by.signer, original, right, remarkHash, by.nonce, by.deadline)
        );
        _reject(_useSigned(structHash, by), original, right, remarkHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function cancel(bytes32 original, Right right) external {
        _cancel(msg.sender, original, right);
    }

    /// @inheritdoc IProvenanceRegistry
    function cancelBySig(bytes32 original, Right right, Signed calldata by) external {
        bytes32 structHash = keccak256(
            abi.encode(_CANCEL_OFFER_TYPEHASH, by.signer, original, right, by.nonce, by.deadline)
        );
        _cancel(_useSigned(structHash, by), original, right);
    }

    /// @inheritdoc IProvenanceRegistry
    function addEvent(bytes32 original, uint16 bizStep, bytes32 evidenceHash, uint48 occurredAt) external {
        _addEvent(msg.sender, original, bizStep, evidenceHash, occurredAt);
    }

    /// @inheritdoc IProvenanceRegistry
    function addEventBySig(
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt,
        Signed calldata by
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                _ADD_EVENT_TYPEHASH,
                by.signer,
                original,
                bizStep,
                evidenceHash,
                occurredAt,
                by.nonce,
                by.deadline
            )
        );
        _addEvent(_useSigned(structHash, by), original, bizStep, evidenceHash, occurredAt);
    }

    /// @inheritdoc IProvenanceRegistry
    function addEventWithConsent(
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt,
        Signed calldata by
    ) external {
        _checkPartner(msg.sender);
        bytes32 structHash = keccak256(
            abi.encode(
                _RECORD_EVENT_TYPEHASH,
                by.signer,
                original,
                bizStep,
                evidenceHash,
                occurredAt,
                msg.sender,
                by.nonce,
                by.deadline
            )
        );
        address holder = _useSigned(structHash, by);
        _checkHolderEvent(original, holder, bizStep, occurredAt);
        emit LifecycleEventConsented(original, msg.sender, holder, bizStep, evidenceHash, occurredAt);
    }

    /// @inheritdoc IProvenanceRegistry
    function anchorEvents(bytes32 root, uint32 count) external {
        _checkPartner(msg.sender);
        if (root == bytes32(0) || count == 0) revert ProvenanceRegistryInvalidBatch(root, count);
        emit EventsAnchored(msg.sender, root, count);
    }

    /// @inheritdoc IProvenanceRegistry
    function logIncident(
        bytes32 original,
        Disposition disposition,
        bytes32 evidenceHash
    ) external logsIncident(msg.sender, original, disposition, evidenceHash) {} // solhint-disable-line no-empty-blocks

    /// @inheritdoc IProvenanceRegistry
    function logIncidentBySig(
        bytes32 original,
        Disposition disposition,
        bytes32 evidenceHash,
        Signed calldata by
    )
        external
        logsIncident(
            _useSigned(_incidentHash(original, disposition, evidenceHash, by), by),
            original,
            disposition,
            evidenceHash
        )
    {} // solhint-disable-line no-empty-blocks

    /// @inheritdoc IProvenanceRegistry
    function recall(bytes32 identifier, bytes32 evidenceHash) external {
        _checkPartner(msg.sender);
        bytes32 original = originalId(msg.sender, identifier);
        uint256 r = _existing(original);
        uint256 current = uint8(r >> _DISPOSITION_SHIFT);
        if (current != 0) {
            revert ProvenanceRegistryInvalidDisposition(
                original,
                msg.sender,
                Disposition(current),
                Disposition.Recalled
            );
        }
        _records[original] = _withDisposition(r, _RECALLED);
        emit DispositionReported(original, msg.sender, Disposition.Recalled, evidenceHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function endRecall(bytes32 identifier, bytes32 evidenceHash) external {
        _checkPartner(msg.sender);
        bytes32 original = originalId(msg.sender, identifier);
        uint256 r = _existing(original);
        uint256 current = uint8(r >> _DISPOSITION_SHIFT);
        if (current != _RECALLED) {
            revert ProvenanceRegistryInvalidDisposition(original, msg.sender, Disposition(current), Disposition.None);
        }
        _records[original] = _withDisposition(r, 0);
        emit DispositionCleared(original, msg.sender, Disposition.Recalled, evidenceHash, false);
    }

    /// @inheritdoc IProvenanceRegistry
    function clearDisposition(bytes32 original, bytes32 evidenceHash) external {
        _clearDisposition(msg.sender, original, evidenceHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function clearDispositionBySig(bytes32 original, bytes32 evidenceHash, Signed calldata by) external {
        bytes32 structHash = keccak256(
            abi.encode(_CLEAR_DISPOSITION_TYPEHASH, by.signer, original, evidenceHash, by.nonce, by.deadline)
        );
        _clearDisposition(_useSigned(structHash, by), original, evidenceHash);
    }

    /// @inheritdoc IProvenanceRegistry
    function proposeClearing(bytes32 original, bytes32 remarkHash) external returns (uint256 clearingId) {
        _checkCouncil(msg.sender);
        uint256 current = uint8(_existing(original) >> _DISPOSITION_SHIFT);
        if (current == 0) {
            revert ProvenanceRegistryInvalidDisposition(original, msg.sender, Disposition.None, Disposition.None);
        }
        clearingId = ++_clearingCount;
        uint48 deadline = uint48(block.timestamp) + _partners.votingPeriod();
        uint16 council = uint16(_partners.activeCouncilCount());
        Clearing storage c = _clearings[clearingId];
        (c.original, c.disposition, c.deadline, c.councilAtProposal, c.remarkHash) = (
            original,
            Disposition(current),
            deadline,
            council,
            remarkHash
        );
        c.yesVoters.push(msg.sender);
        emit ClearingProposed(clearingId, original, msg.sender, Disposition(current), remarkHash, deadline, council);
        emit ClearingVoted(clearingId, msg.sender, 1);
    }

    /// @inheritdoc IProvenanceRegistry
    function voteClearing(uint256 clearingId) external {
        _checkCouncil(msg.sender);
        Clearing storage c = _openClearing(clearingId);
        address[] storage voters = c.yesVoters;
        uint256 n = voters.length;
        for (uint256 i = 0; i < n; ++i) {
            if (voters[i] == msg.sender) revert ProvenanceRegistryAlreadyVoted(clearingId, msg.sender);
        }
        voters.push(msg.sender);
        emit ClearingVoted(clearingId, msg.sender, uint32(n + 1));
    }

    /// @inheritdoc IProvenanceRegistry
    function executeClearing(uint256 clearingId) external {
        Clearing storage c = _openClearing(clearingId);
        address[] storage voters = c.yesVoters;
        uint32 counted = 0;
        for (uint256 i = 0; i < voters.length; ++i) {
            if (_partners.isActiveCouncil(voters[i])) ++counted;
        }
        uint256 council = _partners.activeCouncilCount();
        uint256 larger = council > c.councilAtProposal ? council : c.councilAtProposal;
        uint32 required = uint32(larger / 2 + 1);
        if (counted < required) revert ProvenanceRegistryQuorumNotReached(clearingId, counted, required);
        bytes32 original = c.original;
        uint256 r = _records[original];
        Disposition current = Disposition(uint8(r >> _DISPOSITION_SHIFT));
        if (current != c.disposition) revert ProvenanceRegistryClearingStale(clearingId, c.disposition, current);
        c.executed = true;
        _records[original] = _withDisposition(r, 0);
        emit DispositionCleared(original, address(this), current, c.remarkHash, true);
        emit ClearingExecuted(clearingId, msg.sender, counted, required);
    }

    /// @inheritdoc IStandingMirror
    function setStanding(address account, IPartnerRegistry.Standing calldata standing) external {
        if (msg.sender != address(_partners)) revert ProvenanceRegistryNotPartnerRegistry(msg.sender);
        if (!(standing.issuer && standing.compromisedAfter == 0) && _mayAct[account]) delete _mayAct[account];
    }

    /// @inheritdoc IStandingMirror
    function partners() external view returns (IPartnerRegistry) {
        return _partners;
    }

    /**
     * @notice `account`'s standing as the partner registry holds it now (this registry keeps only a cache of whether
     * it may register and record, see the contract's notice, so it answers from the partner registry).
     * @param account The partner.
     * @return Its standing.
     */
    function standingOf(address account) external view returns (IPartnerRegistry.Standing memory) {
        return
            IPartnerRegistry.Standing(
                _partners.isActiveIssuer(account),
                _partners.isActiveCouncil(account),
                _partners.compromisedAfter(account)
            );
    }

    /// @inheritdoc IProvenanceRegistry
    function eventLeaf(
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt,
        address holder
    ) external pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(original, bizStep, evidenceHash, occurredAt, holder))));
    }

    /// @inheritdoc IProvenanceRegistry
    function originalOf(bytes32 original) external view returns (Original memory) {
        uint256 r = _records[original];
        if (r == 0) return Original(address(0), address(0), 0, Disposition.None, false, 0);
        return
            Original({
                owner: address(uint160(r)),
                holder: _holderOf(original, r),
                registeredAt: uint48(r >> 160),
                disposition: Disposition(uint8(r >> _DISPOSITION_SHIFT)),
                soulbound: (r >> _FLAGS_SHIFT) & _SOULBOUND != 0,
                epoch: uint16(r >> _EPOCH_SHIFT)
            });
    }

    /// @inheritdoc IProvenanceRegistry
    function offerOf(bytes32 original, Right right) external view returns (Offer memory) {
        uint256 r = _records[original];
        uint256 offer = _offerWord(original, right, r);
        if (r == 0 || !_isOpen(offer, r)) return Offer(address(0), 0, false, false);
        return Offer(address(uint160(offer)), uint48(offer >> 160), offer & _CLAIM_BIT != 0, true);
    }

    /// @inheritdoc IProvenanceRegistry
    function clearing(uint256 clearingId) external view returns (Clearing memory) {
        return _clearings[clearingId];
    }

    /// @inheritdoc IProvenanceRegistry
    function clearingCount() external view returns (uint256) {
        return _clearingCount;
    }

    /// @inheritdoc IProvenanceRegistry
    function originalId(address registrar, bytes32 identifier) public pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, registrar)
            mstore(0x20, identifier)
            id := keccak256(0x00, 0x40)
        }
    }

    /// @dev Registers `identifier` for the caller: one new slot (two with a third-party holder).
    function _register(
        bytes32 identifier,
        address owner,
        address holder,
        bool soulbound
    ) private returns (bytes32 original) {
        _checkPartner(msg.sender);
        if (identifier == bytes32(0) || owner == address(0)) {
            revert ProvenanceRegistryInvalidRegistration(identifier, owner);
        }
        original = originalId(msg.sender, identifier);
        if (_records[original] != 0) revert ProvenanceRegistryAlreadyRegistered(original);
        uint256 flags = soulbound ? _SOULBOUND : 0;
        bool held = holder != address(0) && holder != owner;
        if (held) {
            flags |= _THIRD_PARTY_HOLDS;
            _custody[original][0] = uint160(holder);
        }
        _records[original] = uint256(uint160(owner)) | (block.timestamp << 160) | (flags << _FLAGS_SHIFT);
        emit OriginalRegistered(original, identifier, msg.sender, owner);
        if (held) emit HeldAtRegistration(original, holder);
        if (soulbound) emit OriginalSoulbound(original);
    }

    /**
     * @dev Stores an offer of `right` by `party`, the current party, to `to` (a claim offer, to a one-time key's
     * address, when `claimBit` is set), and emits its event naming `party`; then the function's (empty) body. A
     * modifier, as {logsIncident}: inlined, it keeps proposing a transfer under its 50,000 target.
     */
    modifier offers(address party, bytes32 original, Right right, address to, uint48 deadline, uint256 claimBit) {
        uint256 r = _movable(original, _load(_recordSlot(original)));
        if (right == Right.Title && (r >> _FLAGS_SHIFT) & _SOULBOUND != 0) revert ProvenanceRegistrySoulbound(original);
        _checkParty(party, original, r, right);
        if (to == address(0) || to == party || deadline <= block.timestamp) {
            revert ProvenanceRegistryInvalidOffer(to, deadline);
        }
        uint256 offerSlot = _offerSlot(original, right, r);
        uint256 existing = _load(offerSlot);
        if (_isOpen(existing, r) && uint48(existing >> 160) >= block.timestamp) {
            revert ProvenanceRegistryOfferPending(original, right, address(uint160(existing)), uint48(existing >> 160));
        }
        uint256 epoch = uint16(r >> _EPOCH_SHIFT);
        _store(offerSlot, uint256(uint160(to)) | (uint256(deadline) << 160) | (epoch << _OFFER_EPOCH_SHIFT) | claimBit);
        if (claimBit != 0) emit ClaimOffered(original, party, to, right, deadline);
        else if (right == Right.Title) emit TitleOffered(original, party, to, deadline);
        else emit CustodyOffered(original, party, to, deadline);
        _;
    }

    /// @dev `recipient` accepts the open offer of `right` made to it.
    function _takeOver(address recipient, bytes32 original, Right right) private {
        uint256 recordSlot = _recordSlot(original);
        uint256 r = _movable(original, _load(recordSlot));
        uint256 offerSlot = _offerSlot(original, right, r);
        uint256 offer = _load(offerSlot);
        if (!_isOpen(offer, r)) revert ProvenanceRegistryNoOffer(original, right);
        if (address(uint160(offer)) != recipient || offer & _CLAIM_BIT != 0) {
            revert ProvenanceRegistryNotRecipient(original, right, recipient);
        }
        _checkUnlapsed(original, right, offer);
        _move(original, recordSlot, r, right, recipient, offerSlot);
    }

    /// @dev `recipient` rejects the open offer of `right` made to it.
    function _reject(address recipient, bytes32 original, Right right, bytes32 remarkHash) private {
        uint256 r = _existing(original);
        uint256 offer = _openOffer(original, right, r);
        if (address(uint160(offer)) != recipient || offer & _CLAIM_BIT != 0) {
            revert ProvenanceRegistryNotRecipient(original, right, recipient);
        }
        _setOffer(original, right, r, 0);
        emit TransferRejected(original, recipient, right, remarkHash);
    }

    /// @dev `party`, the current party of `right`, withdraws its open offer.
    function _cancel(address party, bytes32 original, Right right) private {
        uint256 r = _existing(original);
        _checkParty(party, original, r, right);
        _openOffer(original, right, r);
        _setOffer(original, right, r, 0);
        emit TransferCancelled(original, party, right);
    }

    /// @dev `holder` records a lifecycle event of the original it holds.
    function _addEvent(
        address holder,
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt
    ) private {
        _checkHolderEvent(original, holder, bizStep, occurredAt);
        emit LifecycleEventRecorded(original, holder, bizStep, evidenceHash, occurredAt);
    }

    /**
     * @dev `reporter`, the owner or holder, reports the original lost, stolen or destroyed. A modifier rather than a
     * private function like the other actions' shared code: a modifier is inlined into {logIncident} and
     * {logIncidentBySig}, where the call of a private function cost flagging a theft 116 gas and took it over its
     * 30,000 target (docs/decisions/0010-provenance.md).
     */
    modifier logsIncident(address reporter, bytes32 original, Disposition disposition, bytes32 evidenceHash) {
        uint256 recordSlot = _recordSlot(original);
        uint256 r = _load(recordSlot);
        if (r == 0) revert ProvenanceRegistryUnknownOriginal(original);
        uint256 current = uint8(r >> _DISPOSITION_SHIFT);
        uint256 requested = uint256(disposition);
        bool allowed =
            requested == _DESTROYED
                ? current != _DESTROYED
                : (requested == _LOST || requested == _STOLEN) && (current == 0 || current == _RECALLED);
        if (!allowed || (reporter != address(uint160(r)) && reporter != _holderOf(original, r))) {
            revert ProvenanceRegistryInvalidDisposition(original, reporter, Disposition(current), disposition);
        }
        _store(recordSlot, _withDisposition(r, requested));
        emit DispositionReported(original, reporter, disposition, evidenceHash);
        _;
    }

    /// @dev `owner`, the owner, declares a lost or stolen original recovered.
    function _clearDisposition(address owner, bytes32 original, bytes32 evidenceHash) private {
        uint256 r = _existing(original);
        uint256 current = uint8(r >> _DISPOSITION_SHIFT);
        if (owner != address(uint160(r)) || (current != _LOST && current != _STOLEN)) {
            revert ProvenanceRegistryInvalidDisposition(original, owner, Disposition(current), Disposition.None);
        }
        _records[original] = _withDisposition(r, 0);
        emit DispositionCleared(original, owner, Disposition(current), evidenceHash, false);
    }

    /**
     * @dev Moves `right` of `original` to `to` (the offer was checked). The title: the owner in the record, the epoch
     * bumped (voiding every open offer), the title offer deleted. Custody: to the owner, both custody slots deleted;
     * to anyone else, the offer's slot becomes the active one and the previous holder's slot is deleted.
     */
    function _move(
        bytes32 original,
        uint256 recordSlot,
        uint256 r,
        Right right,
        address to,
        uint256 offerSlot
    ) private {
        address from;
        if (right == Right.Title) {
            from = address(uint160(r));
            uint256 epoch = (uint16(r >> _EPOCH_SHIFT) + 1) & 0xffff;
            _store(
                recordSlot,
                (r & ~(_ADDRESS | (uint256(0xffff) << _EPOCH_SHIFT))) | uint160(to) | (epoch << _EPOCH_SHIFT)
            );
            _store(offerSlot, 0);
            emit TitleTransferred(original, from, to);
        } else {
            uint256 flags = (r >> _FLAGS_SHIFT) & 0xff;
            uint256 activeSlot = _custodySlot(original, (flags & _CUSTODY_INDEX) >> 2);
            if (flags & _THIRD_PARTY_HOLDS != 0) {
                from = address(uint160(_load(activeSlot)));
                _store(activeSlot, 0);
            } else {
                from = address(uint160(r));
            }
            if (to == address(uint160(r))) {
                _store(offerSlot, 0);
                flags &= ~_THIRD_PARTY_HOLDS;
            } else {
                flags = (flags ^ _CUSTODY_INDEX) | _THIRD_PARTY_HOLDS;
            }
            _store(recordSlot, (r & ~(uint256(0xff) << _FLAGS_SHIFT)) | (flags << _FLAGS_SHIFT));
            emit CustodyTransferred(original, from, to);
        }
    }

    /// @dev The EIP-712 struct hash of a signed HandOver or ProposeClaim (`typeHash`): the two share their layout.
    function _offerHash(
        bytes32 typeHash,
        bytes32 original,
        Right right,
        address to,
        uint48 offerDeadline,
        Signed calldata by
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(typeHash, by.signer, original, right, to, offerDeadline, by.nonce, by.deadline));
    }

    /// @dev The EIP-712 struct hash of a signed LogIncident.
    function _incidentHash(
        bytes32 original,
        Disposition disposition,
        bytes32 evidenceHash,
        Signed calldata by
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    _LOG_INCIDENT_TYPEHASH,
                    by.signer,
                    original,
                    disposition,
                    evidenceHash,
                    by.nonce,
                    by.deadline
                )
            );
    }

    /// @dev Reverts unless `holder` holds `original` and the event's code and time are valid.
    function _checkHolderEvent(bytes32 original, address holder, uint16 bizStep, uint48 occurredAt) private view {
        uint256 r = _load(_recordSlot(original));
        if (r == 0) revert ProvenanceRegistryUnknownOriginal(original);
        if (holder != _holderOf(original, r)) revert ProvenanceRegistryNotHolder(original, holder);
        if (bizStep == 0 || occurredAt > block.timestamp) revert ProvenanceRegistryInvalidEvent(bizStep, occurredAt);
    }

    /**
     * @dev Reverts unless `account` is an active issuer without a compromise cut-off: from the cache, or else from the
     * partner registry, and then cached (the partner registry clears the cache on every loss of standing).
     */
    function _checkPartner(address account) private {
        if (_mayAct[account]) return;
        if (!_partners.isActiveIssuer(account) || _partners.compromisedAfter(account) != 0) {
            revert ProvenanceRegistryUnauthorizedPartner(account);
        }
        _mayAct[account] = true;
    }

    /// @dev Reverts unless `account` is an active council member now (asked of the partner registry).
    function _checkCouncil(address account) private view {
        if (!_partners.isActiveCouncil(account)) revert ProvenanceRegistryNotCouncil(account);
    }

    /// @dev Reverts unless `account` is the current party of `right`: the owner, or the holder.
    function _checkParty(address account, bytes32 original, uint256 r, Right right) private view {
        address party = right == Right.Title ? address(uint160(r)) : _holderOf(original, r);
        if (account != party) revert ProvenanceRegistryNotParty(original, right, account);
    }

    /// @dev Reverts when the offer's deadline has passed.
    function _checkUnlapsed(bytes32 original, Right right, uint256 offer) private view {
        uint48 deadline = uint48(offer >> 160);
        if (block.timestamp > deadline) revert ProvenanceRegistryOfferLapsed(original, right, deadline);
    }

    /// @dev The record of an original that exists and may move (not lost, stolen or destroyed).
    function _movable(bytes32 original, uint256 record) private pure returns (uint256 r) {
        r = record;
        if (r == 0) revert ProvenanceRegistryUnknownOriginal(original);
        uint256 d = uint8(r >> _DISPOSITION_SHIFT);
        if (d != 0 && d != _RECALLED) revert ProvenanceRegistryBlocked(original, Disposition(d));
    }

    /// @dev The record of an original that exists.
    function _existing(bytes32 original) private view returns (uint256 r) {
        r = _records[original];
        if (r == 0) revert ProvenanceRegistryUnknownOriginal(original);
    }

    /// @dev The holder: the owner, unless a third party holds it (then the active custody slot says who).
    function _holderOf(bytes32 original, uint256 r) private view returns (address) {
        uint256 flags = r >> _FLAGS_SHIFT;
        if (flags & _THIRD_PARTY_HOLDS == 0) return address(uint160(r));
        return address(uint160(_load(_custodySlot(original, (flags & _CUSTODY_INDEX) >> 2))));
    }

    /// @dev The word of the offer of `right`: the title offer, or the inactive custody slot.
    function _offerWord(bytes32 original, Right right, uint256 r) private view returns (uint256) {
        return _load(_offerSlot(original, right, r));
    }

    /// @dev Writes the word of the offer of `right`.
    function _setOffer(bytes32 original, Right right, uint256 r, uint256 word) private {
        _store(_offerSlot(original, right, r), word);
    }

    /// @dev Whether `offer` is an offer made since the last change of owner.
    function _isOpen(uint256 offer, uint256 r) private pure returns (bool) {
        return offer != 0 && uint16(offer >> _OFFER_EPOCH_SHIFT) == uint16(r >> _EPOCH_SHIFT);
    }

    /// @dev The open offer of `right`, or a revert.
    function _openOffer(bytes32 original, Right right, uint256 r) private view returns (uint256 offer) {
        offer = _offerWord(original, right, r);
        if (!_isOpen(offer, r)) revert ProvenanceRegistryNoOffer(original, right);
    }

    /// @dev `r` with disposition `d`.
    function _withDisposition(uint256 r, uint256 d) private pure returns (uint256) {
        return (r & ~(uint256(0xff) << _DISPOSITION_SHIFT)) | (d << _DISPOSITION_SHIFT);
    }

    /// @dev The storage slot of `original`'s record (one keccak, reused for the read and the write).
    function _recordSlot(bytes32 original) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, original)
            mstore(0x20, _records.slot)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev The storage slot of the offer of `right` given the record `r`: the title offer, or the inactive custody
    /// slot (custody slot `i` of `original` is `keccak256(original, _custody.slot) + i`).
    function _offerSlot(bytes32 original, Right right, uint256 r) private pure returns (uint256 slot) {
        if (right == Right.Title) {
            assembly ("memory-safe") {
                mstore(0x00, original)
                mstore(0x20, _titleOffers.slot)
                slot := keccak256(0x00, 0x40)
            }
        } else {
            slot = _custodySlot(original, 1 - (((r >> _FLAGS_SHIFT) & _CUSTODY_INDEX) >> 2));
        }
    }

    /// @dev The storage slot of custody slot `index` of `original`.
    function _custodySlot(bytes32 original, uint256 index) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, original)
            mstore(0x20, _custody.slot)
            slot := add(keccak256(0x00, 0x40), index)
        }
    }

    /// @dev The word at `slot`.
    function _load(uint256 slot) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(slot)
        }
    }

    /// @dev Writes `word` at `slot`.
    function _store(uint256 slot, uint256 word) private {
        assembly ("memory-safe") {
            sstore(slot, word)
        }
    }

    /// @dev An open clearing (not executed, deadline not passed), or a revert.
    function _openClearing(uint256 clearingId) private view returns (Clearing storage c) {
        c = _clearings[clearingId];
        if (c.deadline == 0) revert ProvenanceRegistryUnknownClearing(clearingId);
        if (c.executed || block.timestamp > c.deadline) revert ProvenanceRegistryClearingClosed(clearingId);
    }
}
