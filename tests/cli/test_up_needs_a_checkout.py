"""``originals up`` runs the devnet tools of a checkout; outside one it says so in one line and starts nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ORIGINALS = str(Path(sys.executable).with_name("originals"))


def test_up_outside_a_checkout_is_one_line_and_exit_1(tmp_path: Path) -> None:
    # As an installed package sees it: no checkout on the path (the Makefile puts one on PYTHONPATH for its targets).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    result = subprocess.run(
        [ORIGINALS, "up", "--devnet-dir", str(tmp_path / "devnet")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "originals up: error: `originals up` is a development command: run it in a checkout of the repository "
        "(`make run`)\n"
    )
    assert list(tmp_path.iterdir()) == []  # no devnet folder, no state
