"""Real servers for the service tests: the service itself (a subprocess on a free loopback port) and PostgreSQL."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """``approval-rules serve`` in its own process group, stopped by that group's id."""

    def __init__(self, data_dir: Path, *args: str, workers: int = 1, env: dict[str, str] | None = None,
                 ops: bool = False):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ops_port = free_port() if ops else None
        self.ops_url = f"http://127.0.0.1:{self.ops_port}" if ops else self.url
        cmd = [sys.executable, "-m", "approval_rules", "serve", "--port", str(self.port), "--data-dir", str(data_dir),
               "--workers", str(workers), *args, *(["--ops-port", str(self.ops_port)] if ops else [])]
        self.log_path = data_dir.parent / f"serve-{self.port}.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, **(env or {})})
        self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"服务未能启动：\n{self.log_path.read_text(encoding='utf-8', errors='replace')}")
            try:
                if httpx.get(self.ops_url + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"服务 {timeout} 秒内未就绪：\n{self.log_path.read_text(encoding='utf-8', errors='replace')}")

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"没有找到 PostgreSQL 的 {name}：请先运行 scripts/install-test-deps")
    return found[-1]


class Postgres:
    """A throwaway PostgreSQL cluster under a temp dir, run as the ``postgres`` user (initdb refuses root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="approval-rules-pg-"))
        self.port = free_port()
        as_root = os.geteuid() == 0
        if as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._run = (lambda cmd: ["runuser", "-u", "postgres", "--", *cmd]) if as_root else (lambda cmd: cmd)
        data = self.dir / "data"
        subprocess.run(self._run([pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                  "--no-sync"]), check=True, capture_output=True)
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        subprocess.run(self._run([pg_bin("pg_ctl"), "-D", str(data), "-o", opts, "-l", str(self.dir / "pg.log"), "-w", "start"]),
                       check=True, capture_output=True)
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(self._run([pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def make_tokens(path: Path) -> dict[str, str]:
    """A tokens file with one token per role; returns role → token."""
    from approval_rules.service.auth import add_token

    return {role: add_token(path, f"测试-{role}", [role]) for role in ("decide", "review", "author", "admin")}


def rows_in(sqlite_path: Path) -> int:
    import sqlite3

    db = sqlite3.connect(sqlite_path)
    try:
        return db.execute("SELECT count(*) FROM decisions").fetchone()[0]
    finally:
        db.close()


def dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()
