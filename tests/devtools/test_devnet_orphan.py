"""A supervisor killed with SIGKILL (OOM killer, `kill -9`) leaves no anvil behind holding its port and its state.

The supervisor here is a small Python process that starts :class:`devtools.devnet.Anvil` as ``originals up`` does and
prints anvil's process id; the test kills it with SIGKILL, so no ``finally`` and no ``atexit`` runs, and then waits for
anvil to be gone: the kernel sends it SIGTERM when its parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools.devnet import Anvil, free_port

SUPERVISOR = """
import sys, time
from devtools.devnet import Anvil
anvil = Anvil(port=int(sys.argv[1])).start()
print(anvil.process.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as gone: it no longer holds anything)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's; elsewhere anvil is not stopped")
def test_anvil_stops_when_its_supervisor_is_killed_with_sigkill() -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert supervisor.stdout is not None
        anvil_pid = int(supervisor.stdout.readline())
        assert _alive(anvil_pid)
        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _alive(anvil_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(anvil_pid), "anvil outlived its supervisor"
        # The port is free again: a new chain can start on it.
        with Anvil(port=port) as again:
            assert again.process is not None and again.process.poll() is None
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
