"""Fixtures of the browser tests: a headless Chromium, and the demo served over a seeded, indexed devnet.

Both are per module: a module that changes the chain (the consortium's admission) builds its own stack instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import demo_site, launch


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The page served over the demo (see :func:`support.browser.demo_site`); yields (base URL, demo folder)."""
    with demo_site(tmp_path_factory.mktemp("web")) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium
