"""A command whose reader goes away (``originals partners | head -1``) ends quietly, as SIGPIPE would end it."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

# A parser like the CLI's whose command prints far more than one pipe buffer, run through cli._shell.run.
PROGRAM = textwrap.dedent(
    """
    import argparse, sys
    from cli._shell import run

    def talk(args):
        for i in range(200_000):
            print(f"line {i}")
        return 0

    parser = argparse.ArgumentParser()
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.set_defaults(handler=talk, command="talk")
    sys.exit(run(parser, []))
    """
)


def test_a_closed_pipe_ends_the_command_without_a_traceback() -> None:
    child = subprocess.Popen([sys.executable, "-c", PROGRAM], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline() == "line 0\n"
    child.stdout.close()  # what `head -1` does after its line
    stderr = child.stderr.read()
    assert child.wait(timeout=60) == 128 + signal.SIGPIPE
    assert stderr == ""
