"""Certificates from the terminal: ``issue`` files, ``verify`` a file or a document (through the API or straight
against the chain), and ``revoke`` / ``suspend`` / ``reinstate`` a certificate or one document of it."""

from __future__ import annotations

import argparse
from typing import Any

from cli._shell import api_client, api_options, hash_files, settings_of
from cli.provenance import provenance_summary_lines
from ledger.errors import LedgerError
from ledger.i18n import N_
from ledger.i18n import gettext as _
from ledger.words import CHECK_STATUSES, check_name, check_status, verdict

EXIT_VALID = 0
EXIT_ERROR = 1
EXIT_NOT_VALID = 3
"""``originals verify`` exits 0 when the original is VALID, 3 when it is not (any other verdict), 1 on errors."""
STATUS_HELP = {
    "revoke": N_("revoke a certificate or one document of it"),
    "suspend": N_("suspend a certificate or one document of it"),
    "reinstate": N_("reinstate a certificate or one document of it"),
}
"""The status commands and their ``--help`` line (one text each: the verb is a different word in German)."""


def cmd_issue(args: argparse.Namespace) -> int:
    """Issue certificates for files through the API; write each wrapped document next to its file."""
    import orjson

    hashed = hash_files(args.files)
    originals = [
        {"name": path.name, "kind": args.kind, "fingerprint": fp, "attributes": dict(args.attribute or [])}
        for path, fp in hashed
    ]
    client = api_client(args, need_key=True)
    try:
        if args.batch or len(originals) > 1:
            if not args.batch:
                raise LedgerError(_("several files need --batch (one transaction) or one command per file"))
            body: dict[str, Any] = {"originals": originals, "valid_until": args.valid_until}
            result = client.post("/batches", body)
        else:
            result = client.post("/certificates", {"original": originals[0], "valid_until": args.valid_until})
    finally:
        client.close()
    for (path, _fingerprint), document in zip(hashed, result["documents"], strict=True):
        target = path.with_name(path.name + ".originals.json")
        target.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        print(
            _("{path}: certificate {leaf} -> {target}", path=path, leaf=document["proof"]["targetHash"], target=target)
        )
    print(
        _(
            "transaction {tx} mined in block {block} (certificate {certificate}, root {root}); pending until indexed",
            tx=result["tx_hash"],
            block=result["block_number"],
            certificate=result["id"],
            root=result["root"],
        )
    )
    return 0


def _print_verification(result: dict[str, Any], label: str) -> None:
    print(f"{label}: {verdict(result['verdict'])}")
    width = max(8, *(len(check_status(code)) for code in CHECK_STATUSES))  # the outcomes line up in any language
    for check in result["checks"]:
        print(f"  {check_status(check['status']):<{width}} {check_name(check['name'])}: {check['reason']}")


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a file or a wrapped document, through the API or (--rpc-url) straight against the chain."""
    from pathlib import Path

    import orjson

    path = Path(args.target)
    if not path.is_file():
        raise LedgerError(_("{path}: no such file", path=path))
    document = None
    if path.suffix == ".json":
        try:
            parsed = orjson.loads(path.read_bytes())
            if isinstance(parsed, dict) and str(parsed.get("version", "")).startswith("originals/wrapped/"):
                document = parsed
        except orjson.JSONDecodeError:
            document = None
    if args.rpc_url:
        results, originals = _verify_on_chain(args, path, document)
    else:
        client = api_client(args)
        try:
            if document is not None:
                answer = client.post("/verify/document", document)
                results = [answer]
            else:
                answer = client.verify_file(path)
                results = answer["results"] or [{"verdict": "NOT_FOUND", "checks": []}]
            originals = answer.get("provenance", [])
        finally:
            client.close()
    for result in results:
        _print_verification(result, str(path))
    if originals:
        print(_("provenance (the verdict is the certificate's):"))
        for line in provenance_summary_lines(originals):
            print(line)
    return EXIT_VALID if any(r["verdict"] == "VALID" for r in results) else EXIT_NOT_VALID


def _verify_on_chain(
    args: argparse.Namespace, path: Any, document: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The verifications and the provenance section, from the chain alone."""
    import time

    from ledger.chain.rpc import RpcClient
    from ledger.deployments import load_deployment
    from ledger.verification import service as verifier
    from ledger.verification.rules import Binding
    from ledger.verification.sources.chain import ChainFacts

    settings = settings_of(args)
    client = RpcClient(args.rpc_url, timeout=settings.rpc_timeout)
    try:
        chain_id = int(client.call("eth_chainId"), 16)
        deployment = load_deployment(chain_id, settings.deployments_dir)
        source = ChainFacts(client, deployment)
        now = int(time.time())
        if document is not None:
            # Trustless: the chain is the node's, but the registry a document must name is the manifest's.
            binding = Binding(chain_id, deployment.contract("CertificateRegistry").address)
            found = [verifier.by_document(source, document, now, binding)]
            originals = verifier.provenance(source, found)
        else:
            ((_path, fingerprint),) = hash_files([str(path)])
            found = verifier.by_fingerprint(source, fingerprint, now)
            originals = verifier.provenance(source, found, fingerprint)
    finally:
        client.close()
    if not found:
        return [{"verdict": "NOT_FOUND", "checks": []}], originals
    results = [
        {
            "verdict": v.verdict.value,
            "checks": [{"name": c.name, "status": c.status.value, "reason": c.reason} for c in v.checks],
        }
        for v in found
    ]
    return results, originals


def cmd_status(args: argparse.Namespace) -> int:
    """Revoke, suspend or reinstate a certificate (or one document of it, from its wrapped document)."""
    import orjson

    certificate, leaf, proof = args.certificate, None, []
    if args.document:
        from pathlib import Path

        from ledger.documents import WrappedDocument, certificate_id

        wrapped = orjson.loads(Path(args.document).read_bytes())
        issuer = WrappedDocument(wrapped).value("issuer.address")
        if not isinstance(issuer, str):
            raise LedgerError(_("{path}: the document does not reveal its issuer's address", path=args.document))
        root = wrapped["proof"]["merkleRoot"]
        certificate = certificate_id(issuer, root)
        leaf = wrapped["proof"]["targetHash"]
        proof = wrapped["proof"]["proof"]
        if leaf == root:
            leaf = None
    if certificate is None:
        raise LedgerError(_("give a certificate id or --document DOC.json"))
    client = api_client(args, need_key=True)
    try:
        result = client.post(
            f"/certificates/{certificate}/{args.command}", {"reason": args.reason, "leaf": leaf, "proof": proof}
        )
    finally:
        client.close()
    print(
        _(
            "{command}: transaction {tx} mined in block {block} (pending until indexed)",
            command=args.command,
            tx=result["tx_hash"],
            block=result["block_number"],
        )
    )
    return 0


def register(commands: Any) -> None:
    issue = commands.add_parser(
        "issue", help=_("issue certificates for files; writes FILE.originals.json next to each")
    )
    issue.add_argument("files", nargs="+", metavar="FILE")
    issue.add_argument("--batch", action="store_true", help=_("issue all files in one transaction (one Merkle root)"))
    issue.add_argument("--kind", default="file", help=_("what the originals are (default: file)"))
    issue.add_argument("--valid-until", type=int, help=_("expiry as Unix time"))
    issue.add_argument(
        "--attribute",
        action="append",
        type=lambda kv: tuple(kv.split("=", 1)),
        metavar="NAME=VALUE",
        help=_("an attribute recorded in every document (repeatable)"),
    )
    api_options(issue)
    issue.set_defaults(handler=cmd_issue)

    verify = commands.add_parser(
        "verify", help=_("verify an original file or a wrapped document (exit 0 VALID, 3 not valid, 1 error)")
    )
    verify.add_argument("target", metavar="FILE|DOC.json")
    verify.add_argument("--rpc-url", help=_("verify straight against the chain (no index, no API)"))
    api_options(verify)
    verify.set_defaults(handler=cmd_verify)

    for action, said in STATUS_HELP.items():
        sub = commands.add_parser(action, help=_(said))
        sub.add_argument("certificate", nargs="?", help=_("the certificate id (0x...; `originals issue` prints it)"))
        sub.add_argument("--document", help=_("a wrapped document: acts on that one document"))
        sub.add_argument("--reason", type=int, required=True, help=_("reason code (e.g. 1 key compromise, 5 fraud)"))
        api_options(sub)
        sub.set_defaults(handler=cmd_status)
