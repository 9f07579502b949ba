// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {ICertificateRegistry} from "../certificates/ICertificateRegistry.sol";
import {IStandingMirror} from "./IStandingMirror.sol";
import {ISignedActions} from "../signing/ISignedActions.sol";

/**
 * @title IPartnerRegistry
 * @notice The consortium: who is a partner, of which kind, with which rights, admitted and expelled by council vote.
 *
 * Every change of a partner's standing is recorded with its time, so "was X an active issuer at time T?" is
 * answerable on chain. Events carry the whole record so an indexer never calls back into the contract.
 *
 * Trust model (version 2): a partner's details (type, name, domain, metadata) change only by council vote, and an
 * admission binds the details that were voted on; only the yes votes of members who are active council when a
 * proposal is executed count, against a majority of the larger of the council at proposal time and now; final acts on
 * another issuer's certificate (revoking it, lifting a council hold) are council decisions carried out by this
 * registry on the certificate registry named as the proposal's subject.
 */
interface IPartnerRegistry is ISignedActions {
    /// @notice The kinds of organisation a partner can be.
    enum OrganisationType {
        SME,
        Enterprise,
        PublicAdministration,
        University,
        ResearchInstitute,
        NGO,
        Association,
        Ministry
    }

    /// @notice Where a partner stands. `None` means the address never applied.
    enum PartnerStatus {
        None,
        Applied,
        Active,
        Suspended,
        Expelled,
        Left
    }

    /// @notice What a council proposal does to its subject when executed.
    enum ProposalKind {
        Admit,
        Suspend,
        Reinstate,
        Expel,
        GrantRights,
        WithdrawRights,
        ChangeDetails,
        SetCompromised,
        RevokeCertificate,
        LiftCertificateSuspension
    }

    /**
     * @notice What a contract acting on partners needs of one partner's standing, as pushed to its
     * {IStandingMirror}: `issuer` = {isActiveIssuer}, `council` = {isActiveCouncil},
     * `compromisedAfter` = {compromisedAfter}.
     */
    struct Standing {
        bool issuer;
        bool council;
        uint48 compromisedAfter;
    }

    /**
     * @notice A partner as stored. `rights` is a bit set of {ISSUER} and {COUNCIL}; `councilSeat` is the partner's
     * seat in the council's vote bitmaps (1-based, 0 = never held the council right; a seat is never reused);
     * `detailsHash` is {detailsHash} of the current details, the value an admission proposal binds.
     */
    struct Partner {
        OrganisationType orgType;
        PartnerStatus status;
        uint8 rights;
        uint48 joinedAt;
        uint48 compromisedAfter;
        uint16 councilSeat;
        bytes32 detailsHash;
        bytes32 metadataHash;
        string displayName;
        string domain;
    }

    /// @notice A partner's details: what verifiers are shown, changed only by council vote.
    struct Details {
        OrganisationType orgType;
        string displayName;
        string domain;
        bytes32 metadataHash;
    }

    /// @notice A founding partner, given to the constructor.
    struct Founder {
        address account;
        OrganisationType orgType;
        uint8 rights;
        string displayName;
        string domain;
        bytes32 metadataHash;
    }

    /**
     * @notice A council proposal. `councilAtProposal` is the size of the active council when it was made;
     * `yesVotes` and `noVotes` count every vote cast (whether or not the voter still sits on the council).
     * `target`: for Admit and ChangeDetails the details hash voted on; for certificate decisions the certificate id.
     * `leaf`: for certificate decisions the document (0 = the whole certificate). `reason`: for certificate decisions.
     * For certificate decisions `subject` is the certificate registry.
     */
    struct Proposal {
        address subject;
        ProposalKind kind;
        uint8 rights;
        bool executed;
        uint48 deadline;
        uint16 councilAtProposal;
        uint48 compromisedAfter;
        uint16 reason;
        uint32 yesVotes;
        uint32 noVotes;
        bytes32 target;
        bytes32 leaf;
    }

    /**
     * @notice A partner record was created: an application, or a founding partner at deployment.
     * @param account The partner's address.
     * @param orgType The kind of organisation.
     * @param displayName The name shown to verifiers.
     * @param domain The partner's web domain, e.g. "bank.example".
     * @param metadataHash Hash of an off-chain metadata document (0 when none).
     */
    event PartnerRegistered(
        address indexed account,
        OrganisationType orgType,
        string displayName,
        string domain,
        bytes32 metadataHash
    );

    /**
     * @notice A partner's status changed.
     * @param account The partner.
     * @param previous The status before.
     * @param status The status now.
     * @param proposalId The executed proposal that caused it (0 for founders, applications and leaving).
     * @param at The block timestamp of the change.
     */
    event PartnerStatusChanged(
        address indexed account,
        PartnerStatus previous,
        PartnerStatus status,
        uint256 indexed proposalId,
        uint48 at
    );

    /**
     * @notice A partner's rights changed.
     * @param account The partner.
     * @param previous The rights before.
     * @param rights The rights now.
     * @param proposalId The executed proposal that caused it (0 for founders and leaving).
     * @param at The block timestamp of the change.
     */
    event PartnerRightsChanged(
        address indexed account,
        uint8 previous,
        uint8 rights,
        uint256 indexed proposalId,
        uint48 at
    );

    /**
     * @notice A partner's details changed by council vote (the previous details stay in the event history).
     * @param account The partner.
     * @param orgType The kind of organisation now.
     * @param displayName The name shown to verifiers now.
     * @param domain The web domain now.
     * @param metadataHash The metadata hash now.
     * @param proposalId The executed ChangeDetails proposal.
     * @param at The block timestamp of the change.
     */
    event PartnerDetailsChanged(
        address indexed account,
        OrganisationType orgType,
        string displayName,
        string domain,
        bytes32 metadataHash,
        uint256 indexed proposalId,
        uint48 at
    );

    /**
     * @notice A partner's key was declared compromised (at expulsion, or later by a SetCompromised decision):
     * certificates it issued at or after `compromisedAfter` are invalid, earlier ones stay valid.
     * @param account The partner.
     * @param compromisedAfter The cut-off: certificates issued at or after it are invalid.
     * @param proposalId The executed Expel or SetCompromised proposal.
     */
    event PartnerCompromised(address indexed account, uint48 compromisedAfter, uint256 indexed proposalId);

    /**
     * @notice A council member made a proposal (and voted yes on it).
     * @param proposalId The new proposal's id.
     * @param kind What the proposal does.
     * @param subject The partner it applies to; for certificate decisions the certificate registry.
     * @param proposer The council member who made it.
     * @param rights Admit: the rights granted with admission; GrantRights, WithdrawRights: which ones; else 0.
     * @param compromisedAfter Expel, SetCompromised: the compromise cut-off (0 for none); else 0.
     * @param deadline The last second at which votes are taken and the proposal can be executed.
     * @param target Admit/ChangeDetails: the details hash bound; certificate decisions: the certificate id; else 0.
     * @param leaf Certificate decisions: the document (0 = whole certificate); else 0.
     * @param reason Certificate decisions: the reason code; else 0.
     * @param councilAtProposal The number of active council members when the proposal was made.
     */
    event ProposalCreated(
        uint256 indexed proposalId,
        ProposalKind kind,
        address indexed subject,
        address indexed proposer,
        uint8 rights,
        uint48 compromisedAfter,
        uint48 deadline,
        bytes32 target,
        bytes32 leaf,
        uint16 reason,
        uint16 councilAtProposal
    );

    /**
     * @notice The details a ChangeDetails proposal would give its subject (emitted right after {ProposalCreated}).
     * @param proposalId The ChangeDetails proposal.
     * @param orgType The kind of organisation proposed.
     * @param displayName The name shown to verifiers proposed.
     * @param domain The web domain proposed.
     * @param metadataHash The metadata hash proposed.
     */
    event DetailsProposed(
        uint256 indexed proposalId,
        OrganisationType orgType,
        string displayName,
        string domain,
        bytes32 metadataHash
    );

    /**
     * @notice A council member voted; the counts are the totals after this vote.
     * @param proposalId The proposal.
     * @param voter The council member.
     * @param support Whether the vote is yes.
     * @param yesVotes The yes votes cast so far, this one included.
     * @param noVotes The no votes cast so far, this one included.
     */
    event VoteCast(uint256 indexed proposalId, address indexed voter, bool support, uint32 yesVotes, uint32 noVotes);

    /**
     * @notice A proposal reached a majority and was carried out.
     * @param proposalId The proposal.
     * @param executor Who called {execute} (anyone).
     * @param countedVotes The yes votes of members who were active council at execution.
     * @param required The majority needed: more than half of the larger of the council at proposal time and now.
     */
    event ProposalExecuted(uint256 indexed proposalId, address indexed executor, uint32 countedVotes, uint32 required);

    /**
     * @notice `account` needs the active council right for this.
     * @param account The caller.
     */
    error PartnerRegistryNotCouncil(address account);

    /**
     * @notice `account` already has a partner record that is not `Left`.
     * @param account The applicant or founder.
     * @param status Its status.
     */
    error PartnerRegistryAlreadyRegistered(address account, PartnerStatus status);

    /**
     * @notice The operation is not allowed for a partner in `status`.
     * @param account The partner.
     * @param status Its status.
     */
    error PartnerRegistryInvalidStatus(address account, PartnerStatus status);

    /**
     * @notice The rights bit set is empty or names unknown bits.
     * @param rights The rights given.
     */
    error PartnerRegistryInvalidRights(uint8 rights);

    /**
     * @notice Granting rights `rights` the partner already holds all of, or withdrawing ones it holds none of.
     * @param account The partner.
     * @param rights The rights given.
     */
    error PartnerRegistryRightsUnchanged(address account, uint8 rights);

    /**
     * @notice The change would leave the consortium without any active council member.
     * @param account The last active council member.
     */
    error PartnerRegistryLastCouncilMember(address account);

    /// @notice A display name is required.
    error PartnerRegistryEmptyDisplayName();

    /**
     * @notice The compromise cut-off lies in the future, is not earlier than the one already set, is missing from a
     * SetCompromised proposal, or was given for a proposal that takes none.
     * @param compromisedAfter The cut-off given.
     */
    error PartnerRegistryInvalidCutoff(uint48 compromisedAfter);

    /**
     * @notice The proposal kind needs another propose function ({proposeDetails}, {proposeCertificateDecision}).
     * @param kind The kind given.
     */
    error PartnerRegistryWrongProposeFunction(ProposalKind kind);

    /**
     * @notice The partner's details are no longer the ones the proposal bound (it left and applied again).
     * @param account The applicant.
     * @param expected The details hash the admission proposal bound.
     * @param actual The applicant's details hash now.
     */
    error PartnerRegistryDetailsChanged(address account, bytes32 expected, bytes32 actual);

    /// @notice Every one of the 256 council seats was given out once; seats are never reused.
    error PartnerRegistryCouncilFull();

    /// @notice The constructor needs at least one founder with the council right, and a non-zero voting period.
    error PartnerRegistryInvalidFounding();

    /**
     * @notice The standing mirror or cache given to the constructor names another partner registry than this one.
     * @param mirror The standing mirror (or cache) given.
     * @param mirrorPartners The partner registry it names.
     */
    error PartnerRegistryMirrorMismatch(address mirror, address mirrorPartners);

    /**
     * @notice No proposal has this id.
     * @param proposalId The id given.
     */
    error PartnerRegistryUnknownProposal(uint256 proposalId);

    /**
     * @notice `voter` already voted on this proposal.
     * @param proposalId The proposal.
     * @param voter The council member.
     */
    error PartnerRegistryAlreadyVoted(uint256 proposalId, address voter);

    /**
     * @notice The proposal's voting deadline has passed.
     * @param proposalId The proposal.
     * @param deadline Its deadline.
     */
    error PartnerRegistryProposalExpired(uint256 proposalId, uint48 deadline);

    /**
     * @notice The proposal was already carried out.
     * @param proposalId The proposal.
     */
    error PartnerRegistryProposalAlreadyExecuted(uint256 proposalId);

    /**
     * @notice The proposal has `yesVotes` of members active on the council now; executing it needs `required`.
     * @param proposalId The proposal.
     * @param yesVotes The yes votes that count now.
     * @param required The majority needed.
     */
    error PartnerRegistryQuorumNotReached(uint256 proposalId, uint256 yesVotes, uint256 required);

    /**
     * @notice Apply to join the consortium (again, after leaving).
     *
     * Requirements:
     *
     * - the caller has no partner record, or has left;
     * - `displayName` is not empty.
     *
     * Emits a {PartnerRegistered} and a {PartnerStatusChanged} event.
     *
     * @param orgType The kind of organisation.
     * @param displayName The name shown to verifiers.
     * @param domain The applicant's web domain, e.g. "bank.example".
     * @param metadataHash Hash of an off-chain metadata document (0 when none).
     */
    function applyForMembership(
        OrganisationType orgType,
        string calldata displayName,
        string calldata domain,
        bytes32 metadataHash
    ) external;

    /**
     * @notice Propose a change to partner `subject`; the proposer's yes vote is counted at once. An Admit proposal
     * binds the applicant's current details hash; its execution reverts if they changed.
     *
     * Requirements:
     *
     * - the caller is an active council member;
     * - `kind` is not ChangeDetails or a certificate decision (see {proposeDetails}, {proposeCertificateDecision});
     * - the subject's status allows `kind` now, and `rights` and `cutoff` fit `kind`.
     *
     * Emits a {ProposalCreated} and a {VoteCast} event.
     *
     * @param kind What the proposal does.
     * @param subject The partner it applies to.
     * @param rights For Admit: the rights granted with admission (may be 0); for Grant/WithdrawRights: which ones.
     * @param cutoff For Expel: the compromise cut-off time (0 for none); for SetCompromised: the cut-off (required,
     * earlier than any already set). Never in the future.
     * @return proposalId The new proposal's id (ids start at 1).
     */
    function propose(
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff
    ) external returns (uint256 proposalId);

    /**
     * @notice Propose new details (type, name, domain, metadata) for partner `subject`.
     *
     * Requirements:
     *
     * - the caller is an active council member;
     * - the subject is Active or Suspended;
     * - the proposed name is not empty.
     *
     * Emits a {ProposalCreated}, a {DetailsProposed} and a {VoteCast} event.
     *
     * @param subject The partner.
     * @param details The details proposed.
     * @return proposalId The new proposal's id.
     */
    function proposeDetails(address subject, Details calldata details) external returns (uint256 proposalId);

    /**
     * @notice Propose a final act on a certificate of any issuer: revoke it (kind RevokeCertificate) or lift its
     * suspension (kind LiftCertificateSuspension), as a whole (`leaf` = 0) or one document (`leaf` with `proof`).
     *
     * Requirements:
     *
     * - the caller is an active council member;
     * - `kind` is RevokeCertificate or LiftCertificateSuspension;
     * - `registry` accepts the decision now ({ICertificateRegistry-checkCouncilDecision}).
     *
     * Emits a {ProposalCreated} and a {VoteCast} event.
     *
     * @param kind RevokeCertificate or LiftCertificateSuspension.
     * @param registry The certificate registry (the proposal's subject).
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param proof The Merkle proof of `leaf` in the certificate (empty for the whole certificate).
     * @param reason The reason code the status change will carry.
     * @return proposalId The new proposal's id.
     */
    function proposeCertificateDecision(
        ProposalKind kind,
        ICertificateRegistry registry,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint16 reason
    ) external returns (uint256 proposalId);

    /**
     * @notice Vote on a proposal, once per council member, before its deadline.
     *
     * Requirements:
     *
     * - the caller is an active council member and has not voted on it;
     * - the proposal exists, is not executed and not expired.
     *
     * Emits a {VoteCast} event.
     *
     * @param proposalId The proposal.
     * @param support Whether the vote is yes.
     */
    function vote(uint256 proposalId, bool support) external;

    /**
     * @notice Carry out a proposal that has a majority. Anyone may call it. Only the yes votes of members who are
     * active council now count; they must be more than half of the larger of the council at proposal time and the
     * council now.
     *
     * Requirements:
     *
     * - the proposal exists, is not executed and not expired;
     * - the majority is reached;
     * - the subject's status (and for Admit its details) still allow it; a certificate decision still applies.
     *
     * Emits a {ProposalExecuted} event, after the events of the change it makes.
     *
     * @param proposalId The proposal.
     */
    function execute(uint256 proposalId) external;

    /**
     * @notice Leave the consortium (or withdraw an application). Rights are dropped.
     *
     * Requirements:
     *
     * - the caller is Applied, Active or Suspended;
     * - it is not the last active council member.
     *
     * Emits a {PartnerStatusChanged} event and, if it held any rights, a {PartnerRightsChanged} event.
     */
    function leave() external;

    /**
     * @notice {applyForMembership}, signed by the applicant and sent by anyone (a relayer paying the gas). Typed
     * message `Apply(address applicant,uint8 orgType,string displayName,string domain,bytes32 metadataHash,uint256
     * nonce,uint48 deadline)` in the domain "Originals PartnerRegistry", version "1", this chain and this registry.
     *
     * Requirements: those of {applyForMembership} for the signer; the signature holds ({ISignedActions}).
     *
     * @param orgType The kind of organisation.
     * @param displayName The name shown to verifiers.
     * @param domain The applicant's web domain.
     * @param metadataHash Hash of an off-chain metadata document (0 when none).
     * @param by The applicant (`by.signer`), its nonce, the deadline and the signature.
     */
    function applyForMembershipBySig(
        OrganisationType orgType,
        string calldata displayName,
        string calldata domain,
        bytes32 metadataHash,
        Signed calldata by
    ) external;

    /**
     * @notice {leave}, signed by the partner: `Leave(address partner,uint256 nonce,uint48 deadline)`.
     * @param by The partner, its nonce, the deadline and the signature.
     */
    function leaveBySig(Signed calldata by) external;

    /**
     * @notice {propose}, signed by a council member: `Propose(address proposer,uint8 kind,address subject,uint8
     * rights,uint48 cutoff,uint256 nonce,uint48 deadline)`.
     * @param kind What the proposal does.
     * @param subject The partner it applies to.
     * @param rights As for {propose}.
     * @param cutoff As for {propose}.
     * @param by The proposer, its nonce, the deadline and the signature.
     * @return proposalId The new proposal's id.
     */
    function proposeBySig(
        ProposalKind kind,
        address subject,
        uint8 rights,
        uint48 cutoff,
        Signed calldata by
    ) external returns (uint256 proposalId);

    /**
     * @notice {proposeDetails}, signed by a council member: `ProposeDetails(address proposer,address subject,uint8
     * orgType,string displayName,string domain,bytes32 metadataHash,uint256 nonce,uint48 deadline)`.
     * @param subject The partner.
     * @param details The details proposed.
     * @param by The proposer, its nonce, the deadline and the signature.
     * @return proposalId The new proposal's id.
     */
    function proposeDetailsBySig(
        address subject,
        Details calldata details,
        Signed calldata by
    ) external returns (uint256 proposalId);

    /**
     * @notice {proposeCertificateDecision}, signed by a council member: `ProposeCertificateDecision(address
     * proposer,uint8 kind,address registry,bytes32 id,bytes32 leaf,uint16 reason,uint256 nonce,uint48 deadline)`; the
     * proof is not signed (it only shows that the signed leaf is in the certificate).
     * @param kind RevokeCertificate or LiftCertificateSuspension.
     * @param registry The certificate registry.
     * @param id The certificate id.
     * @param leaf The document (0 = the whole certificate).
     * @param proof The Merkle proof of `leaf` (empty for the whole certificate).
     * @param reason The reason code.
     * @param by The proposer, its nonce, the deadline and the signature.
     * @return proposalId The new proposal's id.
     */
    function proposeCertificateDecisionBySig(
        ProposalKind kind,
        ICertificateRegistry registry,
        bytes32 id,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint16 reason,
        Signed calldata by
    ) external returns (uint256 proposalId);

    /**
     * @notice {vote}, signed by a council member: `Vote(address voter,uint256 proposalId,bool support,uint256
     * nonce,uint48 deadline)`.
     * @param proposalId The proposal.
     * @param support Whether the vote is yes.
     * @param by The voter, its nonce, the deadline and the signature.
     */
    function voteBySig(uint256 proposalId, bool support, Signed calldata by) external;

    /**
     * @notice {execute}, signed by whoever asks for it (named as the executor): `Execute(address executor,uint256
     * proposalId,uint256 nonce,uint48 deadline)`.
     * @param proposalId The proposal.
     * @param by The executor, its nonce, the deadline and the signature.
     */
    function executeBySig(uint256 proposalId, Signed calldata by) external;

    /**
     * @notice The partner record of `account` (all zero when it never applied).
     * @param account The address.
     * @return The partner record.
     */
    function partner(address account) external view returns (Partner memory);

    /**
     * @notice A proposal by id (all zero when there is none).
     * @param proposalId The proposal.
     * @return The proposal.
     */
    function proposal(uint256 proposalId) external view returns (Proposal memory);

    /**
     * @notice Whether `voter` has voted on `proposalId`.
     * @param proposalId The proposal.
     * @param voter The council member.
     * @return Whether it voted, yes or no.
     */
    function hasVoted(uint256 proposalId, address voter) external view returns (bool);

    /**
     * @notice The number of proposals made so far (the id of the latest).
     * @return The number of proposals.
     */
    function proposalCount() external view returns (uint256);

    /**
     * @notice The number of active partners holding the council right.
     * @return The size of the active council.
     */
    function activeCouncilCount() external view returns (uint256);

    /**
     * @notice How long proposals stay open for votes, in seconds.
     * @return The voting period.
     */
    function votingPeriod() external view returns (uint48);

    /**
     * @notice The contract this registry pushes every partner's {Standing} to (the certificate registry), or 0.
     * @return The standing mirror.
     */
    function standingMirror() external view returns (IStandingMirror);

    /**
     * @notice The contract this registry tells of every loss of a partner's {Standing} (the provenance registry), or
     * 0. A standing cache learns a partner's standing from this registry when it first needs it and keeps it; this
     * registry pushes it a partner's standing whenever the partner loses an issuer or council right or gets a
     * compromise cut-off, in the same transaction, so the cache never holds more standing than the partner has. Gains
     * are not pushed: the cache asks when it does not know, so an admission costs no write in it.
     * @return The standing cache.
     */
    function standingCache() external view returns (IStandingMirror);

    /**
     * @notice Whether `account` is now an active partner with the issuer right.
     * @param account The address.
     * @return Whether it is an active issuer.
     */
    function isActiveIssuer(address account) external view returns (bool);

    /**
     * @notice Whether `account` is now an active partner with the council right.
     * @param account The address.
     * @return Whether it is active council.
     */
    function isActiveCouncil(address account) external view returns (bool);

    /**
     * @notice Whether `account` was an active partner with the issuer right at `timestamp` (the state at the end of
     * the last block at or before it), and `timestamp` is before any compromise cut-off.
     * @param account The address.
     * @param timestamp The time asked about.
     * @return Whether it was an active issuer then, with an uncompromised key.
     */
    function wasActiveIssuerAt(address account, uint48 timestamp) external view returns (bool);

    /**
     * @notice The compromise cut-off of `account` (0 when none).
     * @param account The address.
     * @return The cut-off.
     */
    function compromisedAfter(address account) external view returns (uint48);

    /**
     * @notice The hash an admission or a details change binds: keccak256 of the ABI-encoded details.
     * @param details The details.
     * @return The details hash.
     */
    function detailsHash(Details calldata details) external pure returns (bytes32);
}
