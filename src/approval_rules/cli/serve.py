"""The service's commands: ``serve``, ``bundle build|sign|verify|keygen``, ``token add``.

The web libraries come from the optional extra ``service``; they are imported inside the
commands, so the rest of the command line works without them.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from ..core.bundled import cases_dir, rules_dir
from .common import InputError, cli

_NEEDS_EXTRA = "需要安装可选依赖：pip install 'approval-rules[service]'"


def _service_modules() -> tuple[ModuleType, ModuleType, ModuleType, ModuleType, ModuleType]:
    try:
        from ..service import auth, bundles, config, declog, library  # noqa: F401
    except ImportError as exc:
        raise InputError(f"{_NEEDS_EXTRA}（缺少 {exc.name}）") from None
    return auth, bundles, config, declog, library


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8080, show_default=True, type=int, help="端口")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="工作进程数（建议每个 CPU 核一个）")
@click.option("--data-dir", default="approval-rules-service", show_default=True, type=click.Path(file_okay=False),
              help="数据目录：规则包（bundles/）、会话密钥，以及缺省的决定记录 decisions.sqlite")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, exists=True), default=None,
              help="以该规则集目录（连同 --cases）生成并激活一个规则包；缺省：已激活的规则包，没有时用随包规则集")
@click.option("--cases", "cases_path", type=click.Path(file_okay=False, exists=True), default=None, help="随规则包的案例目录")
@click.option("--log", "log_dsn", default="", help="决定记录：SQLite 文件路径或 postgresql://…（缺省：数据目录下的 decisions.sqlite）")
@click.option("--tokens", "tokens_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="令牌文件（token add 生成）；不给时只能监听本机地址，任何调用方都有全部角色")
@click.option("--verify-key", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Ed25519 公钥（PEM）：此后只接受由它签名的规则包")
@click.option("--ops-port", type=int, default=None,
              help="在该端口（同一监听地址）单独提供 /health/live、/health/ready 和 /metrics，主端口不再提供")
@click.option("--mask", "masks", multiple=True, help="决定记录中要屏蔽的个人信息（JSON 指针，* 表示每一项；可多次给出）")
def serve(host: str, port: int, workers: int, data_dir: str, rules_path: str | None, cases_path: str | None, log_dsn: str,
          tokens_file: str | None, verify_key: str | None, ops_port: int | None, masks: tuple[str, ...]) -> None:
    """启动审查服务（HTTP 接口、决定记录和审查页面）。"""
    auth, _, config, declog, library = _service_modules()
    import uvicorn

    if tokens_file is None and not _loopback(host):
        raise InputError("没有令牌文件时只能监听本机地址（127.0.0.1）；请用 --tokens 指定令牌文件")
    data = Path(data_dir).resolve()
    settings = config.Settings(data_dir=str(data), log_dsn=log_dsn, tokens_file=os.path.abspath(tokens_file) if tokens_file else None,
                               verify_key=os.path.abspath(verify_key) if verify_key else None)
    if masks:
        settings.mask = list(masks)
    settings.ops_port = ops_port
    lib = library.Library(data, Path(verify_key).read_bytes() if verify_key else None)
    try:
        if rules_path is not None:
            from ..batch.workers import ENGINE_VERSION

            lib.install_directory(Path(rules_path), Path(cases_path) if cases_path else None, ENGINE_VERSION)
        elif lib.active_revision() is None:
            from ..batch.workers import ENGINE_VERSION

            lib.install_directory(rules_dir(), cases_dir(), ENGINE_VERSION)
        store = declog.open_log(settings.dsn)
        store.close()
        auth.Tokens(settings.tokens_file, data / "session.key")  # made once, before the workers start
    except declog.LogUnavailable as exc:
        raise InputError(f"决定记录无法打开：{exc}") from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    metrics_dir = data / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    settings.to_env()
    click.echo(f"审查服务：http://{host}:{port}/ （接口文档 /docs，{workers} 个工作进程，规则包 {lib.active_revision()[:12]}，"
               f"决定记录 {settings.dsn if not settings.dsn.startswith('postgres') else 'PostgreSQL'}）", err=True)
    if ops_port is not None:
        import multiprocessing

        ops = multiprocessing.get_context("spawn").Process(
            target=uvicorn.run, args=("approval_rules.service.app:create_ops_app",), daemon=True,
            kwargs={"factory": True, "host": host, "port": ops_port, "log_level": "warning", "access_log": False},
        )
        ops.start()
        click.echo(f"健康检查和指标：http://{host}:{ops_port}/health/ready、/metrics", err=True)
    uvicorn.run("approval_rules.service.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, timeout_graceful_shutdown=10)


@cli.group()
def bundle() -> None:
    """规则包：生成、签名、验证。"""


@bundle.command(name="build")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出的规则包（.tar.gz）")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, exists=True), default=None, help="规则集目录（缺省：随包规则集）")
@click.option("--cases", "cases_path", type=click.Path(file_okay=False, exists=True), default=None, help="案例目录（缺省：随包案例）")
def bundle_build(output: str, rules_path: str | None, cases_path: str | None) -> None:
    """把规则集和案例打成规则包（manifest.json + rules/ + cases/），先检查并运行案例。"""
    _, bundles, _, _, library = _service_modules()
    from ..batch.workers import ENGINE_VERSION

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(rules_path or rules_dir(), root / "rules", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(cases_path or cases_dir(), root / "cases", ignore=shutil.ignore_patterns("__pycache__"))
        manifest = bundles.manifest_for(root, [], ENGINE_VERSION)
        (root / bundles.MANIFEST).write_bytes(bundles.manifest_bytes(manifest))
        try:
            _, book = library.validate(root, None)
        except bundles.BundleError as exc:
            raise InputError(_bundle_problem(exc)) from None
        manifest["rulesets"] = library.ruleset_refs(book)
        bundles.write_archive(Path(output), root, manifest)
    click.echo(f"已生成规则包 {output}（版本 {manifest['revision'][:12]}，{len(manifest['files'])} 个文件）")


@bundle.command(name="sign")
@click.argument("archive", type=click.Path(dir_okay=False, exists=True))
@click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False, exists=True), help="Ed25519 私钥（PEM）")
@click.option("--signer", required=True, help="签署人（写入清单）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出（缺省：覆盖原文件）")
def bundle_sign(archive: str, key_file: str, signer: str, output: str | None) -> None:
    """用 Ed25519 私钥签署规则包（清单中写明签署人）。"""
    _, bundles, _, _, _ = _service_modules()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        try:
            bundles.unpack(Path(archive).read_bytes(), root)
            manifest = bundles.verify(root)
            signature = bundles.sign(manifest, Path(key_file).read_bytes(), signer)
        except bundles.BundleError as exc:
            raise InputError(_bundle_problem(exc)) from None
        except ValueError as exc:
            raise InputError(f"无法读取私钥：{exc}") from None
        bundles.write_archive(Path(output or archive), root, manifest, signature)
    click.echo(f"已签署规则包 {output or archive}（签署人 {signer}）")


@bundle.command(name="verify")
@click.argument("archive", type=click.Path(dir_okay=False, exists=True))
@click.option("--key", "key_file", type=click.Path(dir_okay=False, exists=True), default=None, help="Ed25519 公钥（PEM）：同时验证签名")
def bundle_verify(archive: str, key_file: str | None) -> None:
    """验证规则包：文件摘要、签名（给出公钥时）、规则检查和全部案例；不通过时退出码为 1。"""
    _, bundles, _, _, library = _service_modules()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        try:
            bundles.unpack(Path(archive).read_bytes(), root)
            manifest, book = library.validate(root, Path(key_file).read_bytes() if key_file else None)
        except bundles.BundleError as exc:
            click.echo(_bundle_problem(exc), err=True)
            raise SystemExit(1) from None
    signed = f"，签署人 {manifest['signer']}" if manifest.get("signer") else "，未签名"
    click.echo(f"规则包有效：版本 {manifest['revision'][:12]}，{len(book.rules)} 条规则{signed}")


@bundle.command(name="keygen")
@click.option("--private", "private_file", required=True, type=click.Path(dir_okay=False), help="私钥输出（PEM，妥善保管）")
@click.option("--public", "public_file", required=True, type=click.Path(dir_okay=False), help="公钥输出（PEM，给 serve --verify-key）")
def bundle_keygen(private_file: str, public_file: str) -> None:
    """生成签署规则包用的 Ed25519 密钥对。"""
    _, bundles, _, _, _ = _service_modules()
    private, public = bundles.new_key_pair()
    Path(private_file).write_bytes(private)
    os.chmod(private_file, 0o600)
    Path(public_file).write_bytes(public)
    click.echo(f"已生成密钥对：私钥 {private_file}，公钥 {public_file}")


def _bundle_problem(exc: Any) -> str:  # bundles.BundleError, imported lazily
    lines = [exc.message]
    lines += [d.render() for d in exc.diagnostics]
    lines += [f"{c['file']}:{c['line']}: " + "；".join(c["problems"]) for c in exc.failing]
    return "\n".join(lines)


@cli.group()
def token() -> None:
    """访问令牌。"""


@token.command(name="add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(["decide", "review", "author", "admin"]),
              help="角色（可多次给出）：decide 审查调用、review 审查人员、author 规则编写、admin 管理员")
@click.option("--tokens", "tokens_file", required=True, type=click.Path(dir_okay=False), help="令牌文件（不存在时新建）")
def token_add(name: str, roles: tuple[str, ...], tokens_file: str) -> None:
    """发放一个新令牌：文件中只存其 SHA-256，令牌本身只显示这一次。"""
    auth, *_ = _service_modules()
    click.echo(auth.add_token(tokens_file, name, list(roles)))
    click.echo(f"已为「{name}」发放令牌（角色：{'、'.join(roles)}），请妥善转交；文件中只保存其摘要。", err=True)
