// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {ISignedActions} from "../signing/ISignedActions.sol";
import {IStandingMirror} from "../partners/IStandingMirror.sol";

/**
 * @title IProvenanceRegistry
 * @notice The provenance of originals: who owns one (title), who holds it (custody), what happened to it (lifecycle
 * events with a GS1 CBV business step), whether it is lost, stolen, destroyed or recalled (its disposition), and which
 * originals it was made from (lineage). Only hashes and addresses are on chain; names and documents live off chain.
 *
 * An original is registered by an active issuer partner of the partner registry under an identifier (the fingerprint
 * of a certified original, or a hashed serial / GS1 Digital Link URI). Its id binds the registrar and the identifier
 * ({originalId}), as a certificate id binds its issuer: another partner may register the same identifier, which
 * gives another original, and every registration of one identifier is one log filter away ({OriginalRegistered}
 * indexes the identifier), so a verifier sees "first registered by X at T".
 *
 * Title and custody move separately, each by an offer of the current party (owner, holder) accepted by the
 * recipient, or claimed with a one-time key ({claim}); an offer may be rejected, cancelled, and lapses at its
 * deadline, and any change of owner or holder voids every open offer. A stolen, lost or destroyed original cannot
 * move. A false report is cleared by a majority of the consortium council ({proposeClearing}).
 *
 * Every action of an owner or holder has a signed form ({handOverBySig}, {takeOverBySig}, ...; {ISignedActions}): a
 * relayer sends it and pays the gas, and the signer, not the relayer, is checked and named in the events, so a
 * private owner with no ether can sell, lend, accept, record an event and report a theft.
 */
interface IProvenanceRegistry is IStandingMirror, ISignedActions {
    /// @notice What a transfer moves: the title (ownership, CBV owning party) or custody (CBV possessing party).
    enum Right {
        Title,
        Custody
    }

    /// @notice An original's disposition. Recovery (a lost or stolen original found) brings it back to None.
    enum Disposition {
        None,
        Lost,
        Stolen,
        Destroyed,
        Recalled
    }

    /**
     * @notice An original's current state.
     * @param owner The owner (title); 0 if the original was never registered.
     * @param holder The holder (custody); the owner when the owner holds it.
     * @param registeredAt When it was registered.
     * @param disposition Its disposition now.
     * @param soulbound Whether its title can never move.
     * @param epoch Changes with every change of owner (offers made before are void).
     */
    struct Original {
        address owner;
        address holder;
        uint48 registeredAt;
        Disposition disposition;
        bool soulbound;
        uint16 epoch;
    }

    /**
     * @notice An open offer of a right.
     * @param to The recipient, or for a claim the address of the one-time key; 0 when there is none.
     * @param deadline The last second it can be accepted.
     * @param claim Whether it is claimed with a one-time key rather than accepted by `to`.
     * @param open Whether it can still be accepted, rejected or cancelled (made since the last change of owner).
     */
    struct Offer {
        address to;
        uint48 deadline;
        bool claim;
        bool open;
    }

    /**
     * @notice A council proposal to clear an original's disposition (a false report).
     * @param original The original.
     * @param disposition The disposition it clears; it is refused if the original's has changed since.
     * @param deadline The last second it can be voted on and executed.
     * @param councilAtProposal The size of the active council when it was made.
     * @param executed Whether it was carried out.
     * @param remarkHash The hash of the off-chain reasons.
     * @param yesVoters The council members who voted for it (the proposer first).
     */
    struct Clearing {
        bytes32 original;
        Disposition disposition;
        uint48 deadline;
        uint16 councilAtProposal;
        bool executed;
        bytes32 remarkHash;
        address[] yesVoters;
    }

    /**
     * @notice An original was registered. {HeldAtRegistration} follows when someone other than the owner holds it,
     * and {OriginalSoulbound} when its title can never move.
     * @param original Its id, {originalId}(registrar, identifier).
     * @param identifier The identifier (fingerprint, or hashed serial / GS1 Digital Link URI): filter on it to see every
     * registration of one identifier, the first one first.
     * @param registrar The active issuer partner that registered it.
     * @param owner Its first owner, who also holds it unless {HeldAtRegistration} follows.
     */
    event OriginalRegistered(
        bytes32 indexed original,
        bytes32 indexed identifier,
        address indexed registrar,
        address owner
    );

    /**
     * @notice At registration, someone other than the owner holds the original.
     * @param original The original.
     * @param holder Its first holder.
     */
    event HeldAtRegistration(bytes32 indexed original, address indexed holder);

    /**
     * @notice The original's title can never move (a diploma).
     * @param original The original.
     */
    event OriginalSoulbound(bytes32 indexed original);

    /**
     * @notice An original was linked to a certificate that certifies it.
     * @param original The original.
     * @param certificateId The certificate id in the certificate registry.
     * @param by The registrar.
     */
    event CertificateLinked(bytes32 indexed original, bytes32 indexed certificateId, address indexed by);

    /**
     * @notice An original was made from another (lineage: upstream is `parent`).
     * @param original The derived original.
     * @param parent The original it was made from.
     * @param by The registrar, who owns or holds `parent`.
     */
    event OriginalDerived(bytes32 indexed original, bytes32 indexed parent, address indexed by);

    /**
     * @notice The owner offered the title to `to`, who may accept it until `deadline`.
     * @param original The original.
     * @param from The owner.
     * @param to The recipient.
     * @param deadline The last second it can be accepted.
     */
    event TitleOffered(bytes32 indexed original, address indexed from, address indexed to, uint48 deadline);

    /**
     * @notice The holder offered custody to `to`, who may accept it until `deadline`.
     * @param original The original.
     * @param from The holder.
     * @param to The recipient.
     * @param deadline The last second it can be accepted.
     */
    event CustodyOffered(bytes32 indexed original, address indexed from, address indexed to, uint48 deadline);

    /**
     * @notice The current party offered a right to whoever signs with the one-time key `key` ({claim}).
     * @param original The original.
     * @param from The owner (title) or holder (custody).
     * @param key The address of the one-time key.
     * @param right The right offered.
     * @param deadline The last second it can be claimed.
     */
    event ClaimOffered(
        bytes32 indexed original,
        address indexed from,
        address indexed key,
        Right right,
        uint48 deadline
    );

    /**
     * @notice The title moved (an offer accepted or claimed); every open offer on the original is void.
     * @param original The original.
     * @param from The previous owner.
     * @param to The new owner.
     */
    event TitleTransferred(bytes32 indexed original, address indexed from, address indexed to);

    /**
     * @notice Custody moved (an offer accepted or claimed).
     * @param original The original.
     * @param from The previous holder.
     * @param to The new holder.
     */
    event CustodyTransferred(bytes32 indexed original, address indexed from, address indexed to);

    /**
     * @notice A claim offer was claimed; the {TitleTransferred} or {CustodyTransferred} it made comes just before.
     * @param original The original.
     * @param key The one-time key that signed the claim.
     * @param claimant The new owner or holder.
     * @param right The right claimed.
     */
    event OfferClaimed(bytes32 indexed original, address indexed key, address indexed claimant, Right right);

    /**
     * @notice The recipient rejected an offer.
     * @param original The original.
     * @param by The recipient.
     * @param right The right offered.
     * @param remarkHash The hash of the recipient's off-chain remark (0 for none).
     */
    event TransferRejected(bytes32 indexed original, address indexed by, Right right, bytes32 remarkHash);

    /**
     * @notice The current party withdrew an offer.
     * @param original The original.
     * @param by The owner (title) or holder (custody).
     * @param right The right offered.
     */
    event TransferCancelled(bytes32 indexed original, address indexed by, Right right);

    /**
     * @notice A lifecycle event of an original (inspected, repaired, appraised, exhibited, shipped...), recorded by its
     * holder.
     * @param original The original.
     * @param holder The holder, who recorded it.
     * @param bizStep The GS1 CBV business step code (see docs/decisions/0010-provenance.md).
     * @param evidenceHash The hash of the off-chain evidence (report, photo, EPCIS event).
     * @param occurredAt When it happened (at or before the block).
     */
    event LifecycleEventRecorded(
        bytes32 indexed original,
        address indexed holder,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt
    );

    /**
     * @notice A lifecycle event recorded by a partner with the holder's consent (a signature naming the partner).
     * @param original The original.
     * @param recorder The partner that recorded it.
     * @param holder The holder, who consented.
     * @param bizStep The GS1 CBV business step code.
     * @param evidenceHash The hash of the off-chain evidence.
     * @param occurredAt When it happened (at or before the block).
     */
    event LifecycleEventConsented(
        bytes32 indexed original,
        address indexed recorder,
        address indexed holder,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt
    );

    /**
     * @notice A partner anchored a Merkle root of lifecycle events ({eventLeaf} leaves, sorted-pair keccak256).
     * @param recorder The active issuer partner.
     * @param root The Merkle root.
     * @param count How many events it holds.
     */
    event EventsAnchored(address indexed recorder, bytes32 indexed root, uint32 count);

    /**
     * @notice An original was reported lost, stolen, destroyed or recalled.
     * @param original The original.
     * @param by The owner or holder (lost, stolen, destroyed), or the registrar (recalled).
     * @param disposition The disposition now.
     * @param evidenceHash The hash of the off-chain report (police report, recall notice).
     */
    event DispositionReported(
        bytes32 indexed original,
        address indexed by,
        Disposition disposition,
        bytes32 evidenceHash
    );

    /**
     * @notice An original's disposition was cleared: a lost or stolen original recovered, a recall ended, or a false
     * report cleared by a council majority.
     * @param original The original.
     * @param by The owner, the registrar (a recall), or this registry (a council clearing).
     * @param previous The disposition cleared.
     * @param evidenceHash The hash of the off-chain evidence or remark.
     * @param byCouncil Whether a council majority cleared it.
     */
    event DispositionCleared(
        bytes32 indexed original,
        address indexed by,
        Disposition previous,
        bytes32 evidenceHash,
        bool byCouncil
    );

    /**
     * @notice A council member proposed clearing an original's disposition, with their own yes vote.
     * @param clearingId The proposal's id (from 1).
     * @param original The original.
     * @param proposer The council member.
     * @param disposition The disposition to clear.
     * @param remarkHash The hash of the off-chain reasons.
     * @param deadline The last second it can be voted on and executed.
     * @param councilAtProposal The size of the active council now.
     */
    event ClearingProposed(
        uint256 indexed clearingId,
        bytes32 indexed original,
        address indexed proposer,
        Disposition disposition,
        bytes32 remarkHash,
        uint48 deadline,
        uint16 councilAtProposal
    );

    /**
     * @notice A council member voted for a clearing.
     * @param clearingId The proposal.
     * @param voter The council member.
     * @param yesVotes The yes votes cast so far (the proposer's included).
     */
    event ClearingVoted(uint256 indexed clearingId, address indexed voter, uint32 yesVotes);

    /**
     * @notice A clearing reached its majority and was carried out ({DispositionCleared} comes before it).
     * @param clearingId The proposal.
     * @param executor Who executed it.
     * @param counted The yes votes of members who are active council now.
     * @param required The majority required.
     */
    event ClearingExecuted(uint256 indexed clearingId, address indexed executor, uint32 counted, uint32 required);

    /**
     * @notice `account` is not an active issuer partner without a compromise cut-off.
     * @param account The caller, or the signer of a signed action.
     */
    error ProvenanceRegistryUnauthorizedPartner(address account);

    /**
     * @notice Only the partner registry may push standing.
     * @param caller The caller.
     */
    error ProvenanceRegistryNotPartnerRegistry(address caller);

    /**
     * @notice A registration needs a non-zero identifier and owner.
     * @param identifier The identifier given.
     * @param owner The owner given.
     */
    error ProvenanceRegistryInvalidRegistration(bytes32 identifier, address owner);

    /**
     * @notice The registrar already registered this identifier.
     * @param original The original's id.
     */
    error ProvenanceRegistryAlreadyRegistered(bytes32 original);

    /**
     * @notice No original has this id.
     * @param original The id.
     */
    error ProvenanceRegistryUnknownOriginal(bytes32 original);

    /**
     * @notice `account` is not the current party of `right` (the owner for the title, the holder for custody).
     * @param original The original.
     * @param right The right.
     * @param account The caller.
     */
    error ProvenanceRegistryNotParty(bytes32 original, Right right, address account);

    /**
     * @notice A soulbound original's title never moves.
     * @param original The original.
     */
    error ProvenanceRegistrySoulbound(bytes32 original);

    /**
     * @notice The original is lost, stolen or destroyed: nothing moves until the disposition is cleared.
     * @param original The original.
     * @param disposition Its disposition.
     */
    error ProvenanceRegistryBlocked(bytes32 original, Disposition disposition);

    /**
     * @notice An offer needs a recipient (or key) other than 0 and the current party, and a deadline in the future.
     * @param to The recipient or key given.
     * @param deadline The deadline given.
     */
    error ProvenanceRegistryInvalidOffer(address to, uint48 deadline);

    /**
     * @notice An offer of this right is open and has not lapsed: cancel it first.
     * @param original The original.
     * @param right The right.
     * @param to Its recipient or key.
     * @param deadline Its deadline.
     */
    error ProvenanceRegistryOfferPending(bytes32 original, Right right, address to, uint48 deadline);

    /**
     * @notice No open offer of this right (never made, accepted, rejected, cancelled, or void after a change of
     * owner).
     * @param original The original.
     * @param right The right.
     */
    error ProvenanceRegistryNoOffer(bytes32 original, Right right);

    /**
     * @notice `account` is not the recipient of the open offer (or the offer is a claim, which only {claim} takes).
     * @param original The original.
     * @param right The right.
     * @param account The caller.
     */
    error ProvenanceRegistryNotRecipient(bytes32 original, Right right, address account);

    /**
     * @notice The offer's deadline has passed.
     * @param original The original.
     * @param right The right.
     * @param deadline Its deadline.
     */
    error ProvenanceRegistryOfferLapsed(bytes32 original, Right right, uint48 deadline);

    /**
     * @notice The claim is not signed by the offer's one-time key for this claimant, or the offer is not a claim, or
     * the claimant is 0.
     * @param original The original.
     * @param right The right.
     * @param claimant The claimant named.
     */
    error ProvenanceRegistryInvalidClaim(bytes32 original, Right right, address claimant);

    /**
     * @notice `account` is not the original's holder.
     * @param original The original.
     * @param account The caller, or the signer of the consent.
     */
    error ProvenanceRegistryNotHolder(bytes32 original, address account);

    /**
     * @notice A lifecycle event needs a business step code other than 0 and a time not after the block's.
     * @param bizStep The code given.
     * @param occurredAt The time given.
     */
    error ProvenanceRegistryInvalidEvent(uint16 bizStep, uint48 occurredAt);

    /**
     * @notice An anchored batch needs a non-zero root and at least one event.
     * @param root The root given.
     * @param count The count given.
     */
    error ProvenanceRegistryInvalidBatch(bytes32 root, uint32 count);

    /**
     * @notice `account` may not move the original from `current` to `requested` (who may report or clear what is in
     * {logIncident}, {recall}, {endRecall} and {clearDisposition}).
     * @param original The original.
     * @param account The caller.
     * @param current Its disposition now.
     * @param requested The disposition asked for (None for a clearing).
     */
    error ProvenanceRegistryInvalidDisposition(
        bytes32 original,
        address account,
        Disposition current,
        Disposition requested
    );

    /**
     * @notice `account` is not an active council member of the partner registry.
     * @param account The caller.
     */
    error ProvenanceRegistryNotCouncil(address account);

    /**
     * @notice No clearing has this id.
     * @param clearingId The id.
     */
    error ProvenanceRegistryUnknownClearing(uint256 clearingId);

    /**
     * @notice The clearing was executed, or its deadline has passed.
     * @param clearingId The id.
     */
    error ProvenanceRegistryClearingClosed(uint256 clearingId);

    /**
     * @notice The council member already voted for this clearing.
     * @param clearingId The id.
     * @param voter The member.
     */
    error ProvenanceRegistryAlreadyVoted(uint256 clearingId, address voter);

    /**
     * @notice The original's disposition is no longer the one the clearing was proposed for.
     * @param clearingId The id.
     * @param disposition The disposition it was proposed for.
     * @param current The original's disposition now.
     */
    error ProvenanceRegistryClearingStale(uint256 clearingId, Disposition disposition, Disposition current);

    /**
     * @notice Too few of the yes voters are active council now.
     * @param clearingId The id.
     * @param counted The yes votes that count.
     * @param required The majority required.
     */
    error ProvenanceRegistryQuorumNotReached(uint256 clearingId, uint32 counted, uint32 required);

    /**
     * @notice Registers an original of `identifier` for the caller, an active issuer partner.
     *
     * Requirements: the caller is an active issuer without a compromise cut-off; `identifier` and `owner` are not 0;
     * the caller has not registered `identifier` before.
     *
     * Emits {OriginalRegistered}, then {HeldAtRegistration} and {OriginalSoulbound} when they apply.
     *
     * @param identifier The fingerprint of a certified original, or a hashed serial / GS1 Digital Link URI.
     * @param owner The first owner.
     * @param holder The first holder (0, or the owner, when the owner holds it).
     * @param soulbound Whether its title can never move (a diploma).
     * @return original The original's id, {originalId}(caller, identifier).
     */
    function enrolOriginal(
        bytes32 identifier,
        address owner,
        address holder,
        bool soulbound
    ) external returns (bytes32 original);

    /**
     * @notice {enrolOriginal}, linked to the certificates that certify the original and to the originals it was made from.
     *
     * Requirements: those of {enrolOriginal}; every parent exists and the caller owns or holds it.
     *
     * Emits what {enrolOriginal} emits, then {CertificateLinked} per certificate and {OriginalDerived} per parent.
     *
     * @param identifier As {enrolOriginal}.
     * @param owner As {enrolOriginal}.
     * @param holder As {enrolOriginal}.
     * @param soulbound As {enrolOriginal}.
     * @param certificateIds Certificate ids in the certificate registry (not checked here; a verifier checks them).
     * @param parents The originals it was made from (a garment from a fabric batch).
     * @return original The original's id.
     */
    function enrolLinked(
        bytes32 identifier,
        address owner,
        address holder,
        bool soulbound,
        bytes32[] calldata certificateIds,
        bytes32[] calldata parents
    ) external returns (bytes32 original);

    /**
     * @notice Offers `right` of `original` to `to`, who accepts it with {takeOver} before `deadline`.
     *
     * Requirements: the caller is the current party of `right`; the original is not lost, stolen or destroyed; a
     * soulbound original's title is never offered; `to` is neither 0 nor the caller; `deadline` is in the future;
     * no offer of `right` is open and unlapsed.
     *
     * Emits {TitleOffered} or {CustodyOffered}.
     *
     * @param original The original.
     * @param right The title or custody.
     * @param to The recipient.
     * @param deadline The last second it can be accepted.
     */
    function handOver(bytes32 original, Right right, address to, uint48 deadline) external;

    /**
     * @notice {handOver}, signed by the current party of `right` (the owner, or the holder): `HandOver(address party,
     * bytes32 original,uint8 right,address to,uint48 offerDeadline,uint256 nonce,uint48 deadline)`. The offer's
     * deadline (`offerDeadline`, when the recipient can no longer accept) is not the signature's (`by.deadline`).
     * @param original The original.
     * @param right The title or custody.
     * @param to The recipient.
     * @param offerDeadline The last second the offer can be accepted.
     * @param by The party, its nonce, the signature's deadline and the signature.
     */
    function handOverBySig(
        bytes32 original,
        Right right,
        address to,
        uint48 offerDeadline,
        Signed calldata by
    ) external;

    /**
     * @notice Offers `right` of `original` to whoever can sign with the one-time key whose address is `key` (carried
     * in a QR code or on paper), with {claim}.
     *
     * Requirements: as {handOver}, with `key` for `to`.
     *
     * Emits {ClaimOffered}.
     *
     * @param original The original.
     * @param right The title or custody.
     * @param key The address of the one-time key.
     * @param deadline The last second it can be claimed.
     */
    function proposeClaim(bytes32 original, Right right, address key, uint48 deadline) external;

    /**
     * @notice {proposeClaim}, signed by the current party of `right`: `ProposeClaim(address party,bytes32 original,
     * uint8 right,address key,uint48 offerDeadline,uint256 nonce,uint48 deadline)`.
     * @param original The original.
     * @param right The title or custody.
     * @param key The address of the one-time key.
     * @param offerDeadline The last second it can be claimed.
     * @param by The party, its nonce, the signature's deadline and the signature.
     */
    function proposeClaimBySig(
        bytes32 original,
        Right right,
        address key,
        uint48 offerDeadline,
        Signed calldata by
    ) external;

    /**
     * @notice Accepts the open offer of `right` of `original` made to the caller.
     *
     * Requirements: an open, unlapsed offer to the caller that is not a claim; the original is not lost, stolen or
     * destroyed.
     *
     * Emits {TitleTransferred} or {CustodyTransferred}.
     *
     * @param original The original.
     * @param right The title or custody.
     */
    function takeOver(bytes32 original, Right right) external;

    /**
     * @notice {takeOver}, signed by the recipient of the offer: `TakeOver(address recipient,bytes32 original,uint8
     * right,uint256 nonce,uint48 deadline)`.
     * @param original The original.
     * @param right The title or custody.
     * @param by The recipient, its nonce, the deadline and the signature.
     */
    function takeOverBySig(bytes32 original, Right right, Signed calldata by) external;

    /**
     * @notice Carries out a claim of `right` of `original` for `claimant`; anyone may send it (a relayer). The one-time
     * key signs, EIP-712 in this registry's domain, `Claim(bytes32 original,uint8 right,address claimant,uint48
     * deadline)`: the claimant is bound by the signature, so whoever copies it from the mempool can only give the
     * original to `claimant`, and the offer is used up, so the key never works twice.
     *
     * Requirements: an open, unlapsed claim offer; `deadline` not passed; the key's signature; the original is not
     * lost, stolen or destroyed.
     *
     * Emits {TitleTransferred} or {CustodyTransferred}, then {OfferClaimed}.
     *
     * @param original The original.
     * @param right The title or custody.
     * @param claimant The new owner or holder.
     * @param deadline The last second the signature can be used.
     * @param signature The one-time key's signature.
     */
    function claim(bytes32 original, Right right, address claimant, uint48 deadline, bytes calldata signature) external;

    /**
     * @notice Rejects the open offer of `right` of `original` made to the caller.
     *
     * Requirements: an open offer to the caller that is not a claim.
     *
     * Emits {TransferRejected}.
     *
     * @param original The original.
     * @param right The title or custody.
     * @param remarkHash The hash of an off-chain remark (0 for none).
     */
    function reject(bytes32 original, Right right, bytes32 remarkHash) external;

    /**
     * @notice {reject}, signed by the recipient of the offer: `RejectOffer(address recipient,bytes32 original,uint8
     * right,bytes32 remarkHash,uint256 nonce,uint48 deadline)`.
     * @param original The original.
     * @param right The title or custody.
     * @param remarkHash The hash of an off-chain remark (0 for none).
     * @param by The recipient, its nonce, the deadline and the signature.
     */
    function rejectBySig(bytes32 original, Right right, bytes32 remarkHash, Signed calldata by) external;

    /**
     * @notice Withdraws the open offer of `right` of `original`.
     *
     * Requirements: the caller is the current party of `right`; an open offer.
     *
     * Emits {TransferCancelled}.
     *
     * @param original The original.
     * @param right The title or custody.
     */
    function cancel(bytes32 original, Right right) external;

    /**
     * @notice {cancel}, signed by the current party of `right`: `CancelOffer(address party,bytes32 original,uint8
     * right,uint256 nonce,uint48 deadline)`.
     * @param original The original.
     * @param right The title or custody.
     * @param by The party, its nonce, the deadline and the signature.
     */
    function cancelBySig(bytes32 original, Right right, Signed calldata by) external;

    /**
     * @notice Records a lifecycle event of `original`; the caller is its holder.
     *
     * Requirements: the caller holds the original; `bizStep` is not 0; `occurredAt` is not after the block.
     *
     * Emits {LifecycleEventRecorded}.
     *
     * @param original The original.
     * @param bizStep The GS1 CBV business step code.
     * @param evidenceHash The hash of the off-chain evidence.
     * @param occurredAt When it happened.
     */
    function addEvent(bytes32 original, uint16 bizStep, bytes32 evidenceHash, uint48 occurredAt) external;

    /**
     * @notice {addEvent}, signed by the holder: `AddEvent(address holder,bytes32 original,uint16 bizStep,bytes32
     * evidenceHash,uint48 occurredAt,uint256 nonce,uint48 deadline)`. Unlike {addEventWithConsent}, anyone may relay
     * it and the event is the holder's own ({LifecycleEventRecorded}).
     * @param original The original.
     * @param bizStep The GS1 CBV business step code.
     * @param evidenceHash The hash of the off-chain evidence.
     * @param occurredAt When it happened.
     * @param by The holder, its nonce, the deadline and the signature.
     */
    function addEventBySig(
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt,
        Signed calldata by
    ) external;

    /**
     * @notice Records a lifecycle event of `original` by the caller, an active issuer partner, with the holder's
     * consent: the holder signs `RecordEvent(address holder,bytes32 original,uint16 bizStep,bytes32 evidenceHash,
     * uint48 occurredAt,address recorder,uint256 nonce,uint48 deadline)`, naming the partner that may record it.
     *
     * Requirements: the caller is an active issuer; `by.signer` holds the original; the consent holds
     * ({ISignedActions}: deadline, nonce, signature); as {addEvent}.
     *
     * Emits {LifecycleEventConsented}.
     *
     * @param original The original.
     * @param bizStep The GS1 CBV business step code.
     * @param evidenceHash The hash of the off-chain evidence.
     * @param occurredAt When it happened.
     * @param by The holder's consent.
     */
    function addEventWithConsent(
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt,
        Signed calldata by
    ) external;

    /**
     * @notice Anchors the Merkle root of `count` lifecycle events ({eventLeaf}); the caller is an active issuer
     * partner. Nothing is stored: the root and its recorder are in the log, and each event is proved against it
     * off chain, as certificate documents are.
     *
     * Emits {EventsAnchored}.
     *
     * @param root The Merkle root (sorted-pair keccak256).
     * @param count How many events it holds.
     */
    function anchorEvents(bytes32 root, uint32 count) external;

    /**
     * @notice Reports `original` lost, stolen or destroyed; the caller is its owner or holder.
     *
     * Requirements: Lost or Stolen from None or Recalled; Destroyed from anything but Destroyed.
     *
     * Emits {DispositionReported}.
     *
     * @param original The original.
     * @param disposition Lost, Stolen or Destroyed.
     * @param evidenceHash The hash of the off-chain report.
     */
    function logIncident(bytes32 original, Disposition disposition, bytes32 evidenceHash) external;

    /**
     * @notice {logIncident}, signed by the owner or holder: `LogIncident(address reporter,bytes32 original,uint8
     * disposition,bytes32 evidenceHash,uint256 nonce,uint48 deadline)`.
     * @param original The original.
     * @param disposition Lost, Stolen or Destroyed.
     * @param evidenceHash The hash of the off-chain report.
     * @param by The reporter, its nonce, the deadline and the signature.
     */
    function logIncidentBySig(
        bytes32 original,
        Disposition disposition,
        bytes32 evidenceHash,
        Signed calldata by
    ) external;

    /**
     * @notice Recalls the caller's original of `identifier`; the caller is its registrar and an active issuer.
     *
     * Requirements: the original's disposition is None.
     *
     * Emits {DispositionReported} with Recalled.
     *
     * @param identifier The identifier the caller registered.
     * @param evidenceHash The hash of the recall notice.
     */
    function recall(bytes32 identifier, bytes32 evidenceHash) external;

    /**
     * @notice Ends the recall of the caller's original of `identifier`; the caller is its registrar and an active
     * issuer.
     *
     * Requirements: the original's disposition is Recalled.
     *
     * Emits {DispositionCleared}.
     *
     * @param identifier The identifier the caller registered.
     * @param evidenceHash The hash of the off-chain notice.
     */
    function endRecall(bytes32 identifier, bytes32 evidenceHash) external;

    /**
     * @notice Declares `original` recovered; the caller is its owner. A Recalled original is cleared by its
     * registrar ({endRecall}), a Destroyed one (or any false report) only by a council majority ({proposeClearing}).
     *
     * Requirements: the disposition is Lost or Stolen.
     *
     * Emits {DispositionCleared}.
     *
     * @param original The original.
     * @param evidenceHash The hash of the off-chain evidence.
     */
    function clearDisposition(bytes32 original, bytes32 evidenceHash) external;

    /**
     * @notice {clearDisposition}, signed by the owner: `ClearDisposition(address owner,bytes32 original,bytes32
     * evidenceHash,uint256 nonce,uint48 deadline)`.
     * @param original The original.
     * @param evidenceHash The hash of the off-chain evidence.
     * @param by The owner, its nonce, the deadline and the signature.
     */
    function clearDispositionBySig(bytes32 original, bytes32 evidenceHash, Signed calldata by) external;

    /**
     * @notice Proposes that the council clear `original`'s disposition (a false report), with the caller's yes vote.
     * It is carried out by {executeClearing} once a majority of the active council votes for it, as a partner
     * registry proposal is: never by one member (unless the council is one member).
     *
     * Emits {ClearingProposed} and {ClearingVoted}.
     *
     * @param original The original.
     * @param remarkHash The hash of the off-chain reasons.
     * @return clearingId The proposal's id.
     */
    function proposeClearing(bytes32 original, bytes32 remarkHash) external returns (uint256 clearingId);

    /**
     * @notice Votes for a clearing; the caller is an active council member.
     *
     * Emits {ClearingVoted}.
     *
     * @param clearingId The proposal.
     */
    function voteClearing(uint256 clearingId) external;

    /**
     * @notice Carries out a clearing that a majority of the active council voted for: yes votes of members who are
     * active council now, at least half the larger of the council now and at proposal, plus one.
     *
     * Emits {DispositionCleared} and {ClearingExecuted}.
     *
     * @param clearingId The proposal.
     */
    function executeClearing(uint256 clearingId) external;

    /**
     * @notice The id of `registrar`'s original of `identifier`: keccak256(abi.encode(registrar, identifier)).
     * @param registrar The partner that registered it.
     * @param identifier The identifier.
     * @return The original's id.
     */
    function originalId(address registrar, bytes32 identifier) external pure returns (bytes32);

    /**
     * @notice The Merkle leaf of a lifecycle event in an anchored batch: keccak256 of keccak256(abi.encode(original,
     * bizStep, evidenceHash, occurredAt, holder)), the double hash separating leaves from inner nodes.
     * @param original The original.
     * @param bizStep The GS1 CBV business step code.
     * @param evidenceHash The hash of the off-chain evidence.
     * @param occurredAt When it happened.
     * @param holder The holder who consented (its consent is checked off chain).
     * @return The leaf.
     */
    function eventLeaf(
        bytes32 original,
        uint16 bizStep,
        bytes32 evidenceHash,
        uint48 occurredAt,
        address holder
    ) external pure returns (bytes32);

    /**
     * @notice An original's state (all zero if it was never registered).
     * @param original The original.
     * @return Its state.
     */
    function originalOf(bytes32 original) external view returns (Original memory);

    /**
     * @notice The offer of `right` of `original` (`open` false when none can be acted on).
     * @param original The original.
     * @param right The right.
     * @return The offer.
     */
    function offerOf(bytes32 original, Right right) external view returns (Offer memory);

    /**
     * @notice A clearing proposal.
     * @param clearingId The id.
     * @return The proposal.
     */
    function clearing(uint256 clearingId) external view returns (Clearing memory);

    /**
     * @notice How many clearings were proposed (the last id).
     * @return The count.
     */
    function clearingCount() external view returns (uint256);
}
