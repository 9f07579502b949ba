// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ISignedActions} from "./ISignedActions.sol";

/**
 * @title SignedActions
 * @notice Checks an EIP-712 signed action before a registry carries it out for its signer: the deadline, the signer's
 * nonce (used once, in order, so a signature cannot be replayed) and the signature over the action's struct hash in
 * this registry's domain (chain id and address bound, so it is refused on any other chain or registry).
 * @dev Signatures are checked with OpenZeppelin's SignatureChecker: ECDSA for an account without code, ERC-1271 for a
 * contract wallet (a partner may be a multisig). Nonces are OpenZeppelin's: a wrong or reused nonce reverts with
 * `InvalidAccountNonce(signer, currentNonce)`.
 */
abstract contract SignedActions is ISignedActions, EIP712, Nonces {
    /// @notice Sets the EIP-712 domain: `name`, version "1", this chain and this contract.
    /// @param name The domain name wallets show, e.g. "Originals PartnerRegistry".
    constructor(string memory name) EIP712(name, "1") {}

    /**
     * @notice Uses `by`'s nonce and returns its signer once the signature over `structHash` holds; reverts otherwise.
     * @param structHash The EIP-712 hash of the typed action, which includes `by.signer`, `by.nonce` and `by.deadline`.
     * @param by The signer, nonce, deadline and signature.
     * @return signer The account the action is carried out for.
     */
    function _useSigned(bytes32 structHash, Signed calldata by) internal returns (address signer) {
        signer = by.signer;
        if (block.timestamp > by.deadline) revert SignedActionExpired(signer, by.deadline);
        _useCheckedNonce(signer, by.nonce);
        if (!SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), by.signature)) {
            revert SignedActionInvalidSignature(signer);
        }
    }
}
