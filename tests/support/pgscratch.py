"""Scratch PostgreSQL databases for tests: one per fixture, created on the server at 127.0.0.1:5432 and dropped after.

``ORIGINALS_TEST_POSTGRES_URL`` overrides the admin URL. Without a server the PostgreSQL variants are skipped with a
message, except under ``CI`` (set by ``.ci/run``), where they must run and fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    return os.environ.get("ORIGINALS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)


def no_server(reason: str) -> NoReturn:
    """Skip (fail under CI): the PostgreSQL variants cannot run."""
    message = f"PostgreSQL is not reachable at {make_url(postgres_admin_url()).render_as_string()}: {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: the PostgreSQL tests must run)", pytrace=False)
    pytest.skip(f"{message}; start it with `pg_ctlcluster <version> main start` to run the PostgreSQL variants")


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database named ``<prefix>_<pid>_<random>``; dropped (with its sessions) on exit."""
    admin = create_engine(
        postgres_admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}, pool_pre_ping=True
    )
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        no_server(str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc))
    try:
        yield make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
