"""Fixtures of the service tests: real servers on loopback (the service, PostgreSQL) and a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .servers import Postgres, Service, make_tokens

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def svc_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("service")


@pytest.fixture(scope="session")
def tokens(svc_dir) -> dict[str, str]:
    return make_tokens(svc_dir / "tokens.json")


@pytest.fixture(scope="session")
def server(svc_dir, tokens):
    """The shared service: bundled rules, SQLite log, tokens for every role, one worker."""
    s = Service(svc_dir / "main", "--tokens", str(svc_dir / "tokens.json"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    # Debian's chromium, never `playwright install` (a vendor CDN download); scripts/install-test-deps installs it.
    if not Path(CHROMIUM).exists():
        raise RuntimeError("没有找到 chromium：请先运行 scripts/install-test-deps")
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}
