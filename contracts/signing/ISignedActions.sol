// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/**
 * @title ISignedActions
 * @notice What a registry that accepts EIP-712 signed actions has in common: the signature a relayer hands in beside
 * an action's arguments, the errors when it does not hold, and each signer's next nonce.
 *
 * A signed action does exactly what the direct call does, as if its signer had sent it: the signer, not the relayer
 * that pays the gas, is checked, recorded and named in the events. Every typed message names its signer and carries
 * a nonce (used once, in order: the registry's `nonces(signer)` is the next one) and a deadline (the last second it can be carried out). The EIP-712 domain binds the
 * chain id and the registry's address, so a signature for one chain or one registry is refused by any other.
 */
interface ISignedActions {
    /**
     * @notice Who signed an action, and its signature.
     * @param signer The account the action is carried out for; an EOA (ECDSA) or a contract wallet (ERC-1271).
     * @param nonce The signer's nonce the signature is for: {nonces}(signer) when it is carried out.
     * @param deadline The last second (block timestamp) at which it can be carried out.
     * @param signature The EIP-712 signature (65 bytes r, s, v for an EOA).
     */
    struct Signed {
        address signer;
        uint256 nonce;
        uint48 deadline;
        bytes signature;
    }

    /**
     * @notice The signed action's deadline has passed.
     * @param signer The signer named.
     * @param deadline The deadline it was signed with.
     */
    error SignedActionExpired(address signer, uint48 deadline);

    /**
     * @notice The signature is not `signer`'s over this action, this chain and this registry (a wrong signer, altered
     * arguments, another chain id or another contract address).
     * @param signer The signer named.
     */
    error SignedActionInvalidSignature(address signer);
}
