"""Everything the CLI says to a person is Chinese: every command's help, and a corpus of bad invocations.

An English sentence (three or more English words in a row) outside code spans fails the test;
code spans are file paths, options (--x), diagnostic codes (E123), metavars and quoted values."""

from __future__ import annotations

import re

import pytest

from approval_rules.cli import cli

from conftest import DATA

ENGLISH = re.compile(r"\b[A-Za-z]+(?: [A-Za-z]+){2,}\b")
CODE = re.compile(r"(/|\.\.?/)[\w./-]+|--?[\w-]+|\b[EW]\d{3}\b|'[^']*'|「[^」]*」|\[[^\]]*\]|\{[^}]*\}|`[^`]*`|[A-Z_]{2,}(?:\.\.\.)?")


def english(text: str) -> list[str]:
    return ENGLISH.findall(CODE.sub(" ", text))


def commands() -> list[list[str]]:
    out = [[]]
    for name, cmd in cli.commands.items():
        out.append([name])
        out += [[name, sub] for sub in getattr(cmd, "commands", {})]
    return out


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "approval-rules")
def test_help_is_chinese(runner, path):
    r = runner.invoke(cli, [*path, "--help"], prog_name="approval-rules")
    assert r.exit_code == 0, r.output
    assert "用法：" in r.output and "选项" in r.output
    assert english(r.output) == [], r.output



BAD = [
    ["--nope"],
    ["nosuchcommand"],
    ["check"],
    ["check", "--nope", "x.yaml"],
    ["check", "x.yaml", "--format", "xml"],
    ["check", "/no/such/file.yaml"],
    ["check", "/tmp"],
    ["check", "x.yaml", "--as-of", "yesterday"],
    ["check", "x.yaml", "--rules", "/no/such/dir"],
    ["check", "x.yaml", "--backend"],
    ["test", "--min", "200"],
    ["test", "--min", "abc"],
    ["test", str(DATA / "bad_cases")],
    ["lint", "/etc/passwd"],
    ["lint", "--rules", str(DATA / "bad_cases")],
    ["lint", "rules", "--rules", "other"],
    ["diff", "only-one"],
    ["diff", "/no/a", "/no/b"],
    ["schema"],
    ["schema", "rules", "extra"],
    ["schema", "nothing"],
    ["explain", "/no/such/file.yaml"],
    ["explain", str(DATA / "bad_cases" / "E101-yaml-syntax.yaml")],
    ["migrate", "/no/such/file.yaml"],
    ["migrate", "/tmp/"],
    ["doc", "-o", "/etc/passwd"],
]


@pytest.mark.parametrize("args", BAD, ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_bad_invocations_are_answered_in_chinese(runner, args):
    r = runner.invoke(cli, args, prog_name="approval-rules")
    assert r.exit_code != 0
    text = r.output + (r.stderr if r.stderr_bytes is not None else "")
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert english(text) == [], text
    assert "Traceback" not in text and "Error:" not in text and "Usage:" not in text


def test_os_errors_by_errno():
    import errno

    from approval_rules.core.diagnostics import os_error_zh

    assert os_error_zh(FileNotFoundError(errno.ENOENT, "No such file or directory", "a.yaml")) == "a.yaml：文件或目录不存在"
    assert os_error_zh(IsADirectoryError(errno.EISDIR, "Is a directory", "d")) == "d：是目录，应为文件"
    assert os_error_zh(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    assert os_error_zh(OSError(errno.ENOSPC, "No space left on device", "x")) == "x：磁盘已满"


def test_console_script_maps_os_and_sqlite_errors(tmp_path, monkeypatch, capsys):
    import sqlite3

    from approval_rules.cli import main

    for exc, words in ((IsADirectoryError(21, "Is a directory", "out"), "out：是目录"),
                       (sqlite3.DatabaseError("file is not a database"), "不是 SQLite 数据库文件")):
        def boom(*a, exc=exc, **k):
            raise exc
        monkeypatch.setattr(cli, "main", boom)
        with pytest.raises(SystemExit) as e:
            main()
        assert e.value.code == 2
        assert words in capsys.readouterr().err
