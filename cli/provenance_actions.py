"""An original's owner's and holder's actions from the terminal: ``transfer``, ``accept``, ``reject``, ``cancel``,
``claim``, ``event``, ``report-stolen`` and ``clear``.

Every one is an EIP-712 signed action, as the consortium's are (:mod:`cli.governance`): the API prepares the typed data
(the provenance registry's nonce for the signer, a deadline), this command signs it here with the signer's keystore,
and the API's relayer sends it and pays the gas: an owner needs no ether. A claim is signed instead by the one-time key
of a claim offer (``--key-file`` or ``--key``), for the claimant it names. Success is one line naming the block and the
transaction; a refusal is one line naming the contract's error and its arguments, and exit 1.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from cli._shell import api_client
from cli._signing import address, hex32, metadata, mined_line, relay, signing_options
from ledger.errors import LedgerError
from ledger.i18n import gettext as _

TITLE, CUSTODY = 0, 1
LOST, STOLEN = 1, 2
DEFAULT_OFFER_DAYS = 30
"""How long an offer stays open unless ``--deadline`` says otherwise."""


def _right(args: argparse.Namespace) -> int:
    return CUSTODY if args.custody else TITLE


def _right_word(right: int) -> str:
    return _("custody") if right == CUSTODY else _("title")


def _evidence(value: str) -> str:
    """``--evidence``: a 32-byte hash as given, or the SHA-256 of a file."""
    return metadata(value)


def _remark(value: str | None) -> str:
    """``--remark``: a 32-byte hash as given, or the SHA-256 of the text (the remark itself stays off chain)."""
    if value is None:
        return "0x" + "00" * 32
    if value.startswith("0x") and len(value) == 66:
        return hex32(value)
    import hashlib

    return "0x" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _step(value: str) -> int:
    """``--step``: a CBV business step by word (``inspecting``) or URI, or its code."""
    from ledger.cbv import UnknownBusinessStep, code_of

    if value.isdigit():
        return int(value)
    try:
        return code_of(value)
    except UnknownBusinessStep as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _to(original: str, what: str) -> Any:
    return lambda _signer: f"/originals/{original}/{what}"


def cmd_transfer(args: argparse.Namespace) -> int:
    """Offer an original's title or custody to ``--to`` (a signed HandOver; ``--claim``: to a one-time key's address,
    a signed ProposeClaim)."""
    right = _right(args)
    deadline = args.deadline or int(time.time()) + DEFAULT_OFFER_DAYS * 24 * 3600
    action, recipient = ("ProposeClaim", "key") if args.claim else ("HandOver", "to")
    fields = {"original": args.original, "right": right, recipient: args.to, "offerDeadline": deadline}
    answer = relay(args, action, _to(args.original, "offers"), **fields)
    said = _(
        "{right} of {original} offered to {to} until {deadline} {mined}",
        right=_right_word(right),
        original=args.original,
        to=args.to,
        deadline=deadline,
        mined=mined_line(answer),
    )
    print(said)
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    """Accept an offer made to you (a signed TakeOver)."""
    right = _right(args)
    answer = relay(args, "TakeOver", _to(args.original, "accept"), original=args.original, right=right)
    print(
        _(
            "{right} of {original} accepted by {signer} {mined}",
            right=_right_word(right),
            original=args.original,
            signer=answer["signer"],
            mined=mined_line(answer),
        )
    )
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    """Reject an offer made to you (a signed RejectOffer, with the hash of a remark)."""
    right = _right(args)
    fields = {"original": args.original, "right": right, "remarkHash": _remark(args.remark)}
    answer = relay(args, "RejectOffer", _to(args.original, "reject"), **fields)
    print(
        _(
            "offer of {right} of {original} rejected {mined}",
            right=_right_word(right),
            original=args.original,
            mined=mined_line(answer),
        )
    )
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    """Withdraw your open offer (a signed CancelOffer)."""
    right = _right(args)
    answer = relay(args, "CancelOffer", _to(args.original, "cancel"), original=args.original, right=right)
    print(
        _(
            "offer of {right} of {original} withdrawn {mined}",
            right=_right_word(right),
            original=args.original,
            mined=mined_line(answer),
        )
    )
    return 0


def _claim_key(args: argparse.Namespace) -> str:
    """The one-time key: ``--key`` (hex) or the first line of ``--key-file``."""
    if args.key_file is not None:
        from pathlib import Path

        path = Path(args.key_file)
        if not path.is_file():
            raise LedgerError(_("no such file: {path}", path=args.key_file))
        text = path.read_text(encoding="utf-8").strip()
    else:
        text = str(args.key).strip()
    key = text if text.startswith("0x") else "0x" + text
    from ledger.vocabulary import HEX32

    if not HEX32.match(key):
        raise LedgerError(_("the one-time key is not 32 bytes of hex (0x + 64 hex digits)"))
    return key


def cmd_claim(args: argparse.Namespace) -> int:
    """Claim an original for ``--claimant`` with the one-time key of a claim offer (the key signs a Claim here)."""
    from eth_account import Account

    from ledger.signing.actions import sign
    from ledger.signing.provenance import claim_typed_data

    key = _claim_key(args)
    right = _right(args)
    client = api_client(args)
    try:
        # The provenance registry's domain and a deadline as the server sets them: a TakeOver prepared for the
        # claimant names the same registry (a Claim has no nonce, so it is not an action the server prepares).
        prepared = client.post(
            "/actions/prepare",
            {"action": "TakeOver", "signer": args.claimant, "original": args.original, "right": right},
        )
        domain = prepared["typed_data"]["domain"]
        deadline = int(prepared["typed_data"]["message"]["deadline"])
        typed = claim_typed_data(
            bytes.fromhex(args.original[2:]),
            right,
            args.claimant,
            deadline,
            domain["chainId"],
            domain["verifyingContract"],
        )
        typed["message"]["original"] = args.original
        answer: dict[str, Any] = client.post(
            f"/originals/{args.original}/claim", {"typed_data": typed, "signature": sign(typed, key)}
        )
    finally:
        client.close()
    print(
        _(
            "{right} of {original} claimed for {claimant} with the key {key} {mined}",
            right=_right_word(right),
            original=args.original,
            claimant=args.claimant,
            key=str(Account.from_key(key).address).lower(),
            mined=mined_line(answer),
        )
    )
    return 0


def cmd_event(args: argparse.Namespace) -> int:
    """Record a lifecycle event of an original you hold (a signed AddEvent)."""
    at = args.at if args.at is not None else int(time.time())
    fields = {"original": args.original, "bizStep": args.step, "evidenceHash": _evidence(args.evidence)}
    answer = relay(args, "AddEvent", _to(args.original, "events"), occurredAt=at, **fields)
    from ledger.cbv import step_of

    known = step_of(args.step)
    print(
        _(
            "event {step} of {original} recorded by {signer} {mined}",
            step=known.name if known is not None else args.step,
            original=args.original,
            signer=answer["signer"],
            mined=mined_line(answer),
        )
    )
    return 0


def cmd_report_stolen(args: argparse.Namespace) -> int:
    """Report an original stolen (``--lost``: lost), as its owner or holder (a signed LogIncident)."""
    disposition = LOST if args.lost else STOLEN
    fields = {"original": args.original, "disposition": disposition, "evidenceHash": _evidence(args.evidence)}
    answer = relay(args, "LogIncident", _to(args.original, "incidents"), **fields)
    mined = mined_line(answer)
    if args.lost:
        print(_("{original} reported lost {mined}", original=args.original, mined=mined))
    else:
        print(_("{original} reported stolen {mined}", original=args.original, mined=mined))
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    """Declare a lost or stolen original recovered, as its owner (a signed ClearDisposition)."""
    fields = {"original": args.original, "evidenceHash": _evidence(args.evidence)}
    answer = relay(args, "ClearDisposition", _to(args.original, "clear"), **fields)
    print(_("{original} declared recovered {mined}", original=args.original, mined=mined_line(answer)))
    return 0


def _original(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("original", type=hex32, metavar="ID", help=_("the original's id (0x + 64 hex digits)"))


def _which_right(parser: argparse.ArgumentParser) -> None:
    right = parser.add_mutually_exclusive_group(required=True)
    right.add_argument("--title", action="store_true", help=_("the title (ownership)"))
    right.add_argument("--custody", action="store_true", help=_("custody (who holds it)"))


def register(commands: Any) -> None:
    transfer = commands.add_parser(
        "transfer", help=_("offer an original's title or custody to someone (signed with your keystore)")
    )
    _original(transfer)
    _which_right(transfer)
    transfer.add_argument("--to", required=True, type=address, metavar="ADDRESS", help=_("the recipient"))
    transfer.add_argument(
        "--deadline",
        type=int,
        metavar="UNIX",
        help=_("the last second the offer can be accepted, Unix time (default: in 30 days)"),
    )
    transfer.add_argument(
        "--claim", action="store_true", help=_("--to is a one-time key's address: whoever holds the key claims it")
    )
    signing_options(transfer)
    transfer.set_defaults(handler=cmd_transfer)

    accept = commands.add_parser("accept", help=_("accept an offer of an original made to you"))
    _original(accept)
    _which_right(accept)
    signing_options(accept)
    accept.set_defaults(handler=cmd_accept)

    reject = commands.add_parser("reject", help=_("reject an offer of an original made to you"))
    _original(reject)
    _which_right(reject)
    reject.add_argument("--remark", help=_("a remark (only its SHA-256 goes on chain), or its 32-byte hash"))
    signing_options(reject)
    reject.set_defaults(handler=cmd_reject)

    cancel = commands.add_parser("cancel", help=_("withdraw your open offer of an original"))
    _original(cancel)
    _which_right(cancel)
    signing_options(cancel)
    cancel.set_defaults(handler=cmd_cancel)

    claim = commands.add_parser("claim", help=_("claim an original with the one-time key of a claim offer"))
    _original(claim)
    right = claim.add_mutually_exclusive_group()
    right.add_argument("--title", action="store_true", help=_("the title (ownership; the default)"))
    right.add_argument("--custody", action="store_true", help=_("custody (who holds it)"))
    key = claim.add_mutually_exclusive_group(required=True)
    key.add_argument("--key-file", metavar="FILE", help=_("a file holding the one-time key (hex)"))
    key.add_argument("--key", metavar="HEX", help=_("the one-time key (hex)"))
    claim.add_argument("--claimant", required=True, type=address, metavar="ADDRESS", help=_("the new owner or holder"))
    claim.add_argument("--api-url", help=_("the Originals API (env ORIGINALS_API_URL; default http://127.0.0.1:8000)"))
    claim.set_defaults(handler=cmd_claim, api_key=None)

    event = commands.add_parser("event", help=_("record a lifecycle event of an original you hold"))
    _original(event)
    event.add_argument(
        "--step", required=True, type=_step, help=_("the CBV business step, e.g. inspecting, repairing, exhibiting")
    )
    event.add_argument(
        "--evidence", required=True, help=_("the evidence: a file whose SHA-256 is taken, or a 32-byte hash")
    )
    event.add_argument("--at", type=int, metavar="UNIX", help=_("when it happened, Unix time (default: now)"))
    signing_options(event)
    event.set_defaults(handler=cmd_event)

    stolen = commands.add_parser("report-stolen", help=_("report an original stolen (or lost) as its owner or holder"))
    _original(stolen)
    stolen.add_argument("--lost", action="store_true", help=_("lost rather than stolen"))
    stolen.add_argument(
        "--evidence", required=True, help=_("the report: a file whose SHA-256 is taken, or a 32-byte hash")
    )
    signing_options(stolen)
    stolen.set_defaults(handler=cmd_report_stolen)

    clear = commands.add_parser("clear", help=_("declare a lost or stolen original recovered, as its owner"))
    _original(clear)
    clear.add_argument(
        "--evidence", required=True, help=_("the evidence: a file whose SHA-256 is taken, or a 32-byte hash")
    )
    signing_options(clear)
    clear.set_defaults(handler=cmd_clear)
