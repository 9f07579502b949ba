// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IPartnerRegistry} from "./IPartnerRegistry.sol";

/**
 * @title IStandingMirror
 * @notice A contract that acts on partners' standing keeps a copy of it, written only by its partner registry.
 *
 * Checking an issuer's standing by calling the partner registry on every status change costs a cold account access
 * and a call (about 6,000 gas); reading a local copy costs one storage read (2,100). The partner registry pushes each
 * partner's {IPartnerRegistry-Standing} to its mirror in the same transaction that changes it (an admission, a
 * suspension, an expulsion, a change of rights, a compromise cut-off, leaving), so the copy is never stale: a council
 * suspension freezes an issuer's key in the mirror in the very block it is executed.
 *
 * The binding is mutual and fixed at deployment: the mirror names its partner registry in its constructor, and the
 * partner registry's constructor refuses a mirror that names another registry.
 */
interface IStandingMirror {
    /**
     * @notice Record `account`'s standing as the partner registry now holds it.
     *
     * Requirements:
     *
     * - the caller is the partner registry.
     *
     * @param account The partner.
     * @param standing Its standing now.
     */
    function setStanding(address account, IPartnerRegistry.Standing calldata standing) external;

    /**
     * @notice The partner registry whose standing this contract mirrors.
     * @return The partner registry.
     */
    function partners() external view returns (IPartnerRegistry);

    /**
     * @notice `account`'s standing as last pushed by the partner registry (all false and 0 if never pushed).
     * @param account The partner.
     * @return Its standing.
     */
    function standingOf(address account) external view returns (IPartnerRegistry.Standing memory);
}
