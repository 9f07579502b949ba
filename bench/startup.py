"""How long `make run` takes from a fresh start until the API is ready: the start-up time a newcomer waits.

Runs ``make run UP_ARGS="--fresh ..."`` (set-up stamps, ``ape compile``, anvil, the deploy script, the demo seed, the
indexer catching up, the API) in a subprocess, with its devnet and demo folders in a scratch directory and on free
ports, and times it until ``GET /health`` answers ``status: ok`` with ``lag_blocks: 0``; then stops it with Ctrl-C
(SIGINT) and waits for it to exit. Repeats ``--runs`` times and prints each time and the median as JSON.

Development tooling only (it drives the Makefile); the figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from devtools.devnet import PROJECT_ROOT, free_port


def one_start(scratch: Path, timeout: float) -> float:
    """Seconds from ``make run`` to a ready API (health ok, lag 0), on a fresh devnet."""
    api_port, rpc_port = free_port(), free_port()
    up_args = f"--fresh --devnet-dir {scratch / 'devnet'} --demo-dir {scratch / 'demo'} --rpc-port {rpc_port}"
    env = dict(os.environ, ORIGINALS_API_PORT=str(api_port), ORIGINALS_DEPLOYMENTS_DIR=str(scratch / "deployments"))
    for name in ("ORIGINALS_DATABASE_URL", "ORIGINALS_RPC_URL", "ORIGINALS_KEYSTORE_DIR"):
        env.pop(name, None)
    shutil.rmtree(scratch / "deployments", ignore_errors=True)
    log = (scratch / "up.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"UP_ARGS={up_args}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                tail = (scratch / "up.log").read_text()[-2000:]
                raise SystemExit(f"make run exited with {process.returncode}:\n{tail}")
            try:
                health = httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=2).json()
                if health.get("status") == "ok" and health.get("lag_blocks") == 0:
                    return time.monotonic() - started
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise SystemExit(f"make run not ready within {timeout:.0f} s:\n{(scratch / 'up.log').read_text()[-2000:]}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--log", type=Path, help="keep the last run's output here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="originals-startup-") as tmp:
        times = [round(one_start(Path(tmp), args.timeout), 1) for _ in range(args.runs)]
        if args.log is not None:
            shutil.copyfile(Path(tmp) / "up.log", args.log)
    print(json.dumps({"seconds": times, "median": statistics.median(times)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
