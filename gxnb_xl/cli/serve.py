"""gxnb serve — start the browser workbench on this PC (or the office LAN)."""
from __future__ import annotations

import os
import secrets
import sys

import click

from .common import EXIT_UNUSABLE, fail, friendly, lang_option, t


@click.command()
@click.option("--data", "data_dir", default="gxnb-data", show_default=True, type=click.Path(file_okay=False),
              help="数据文件夹（数据库和收到的原文件）/ data folder (database and received files)")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；0.0.0.0 供局域网访问 / address to listen on (0.0.0.0: the office LAN)")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="端口 / port")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器 / do not open a browser")
@lang_option
@friendly()
def command(data_dir, host, port, no_browser, lang):
    """启动网页审核台：收集、校验、审核、退回、汇总、生成报告。

    每个请求都需要访问令牌（启动时显示；也可用环境变量 GXNB_TOKEN 指定）。
    """
    from ..serve.store import StoreError
    token = os.environ.get("GXNB_TOKEN") or secrets.token_urlsafe(24)
    if len(token) < 8:
        fail(t(lang, "GXNB_TOKEN 太短（至少 8 个字符）", "GXNB_TOKEN is too short (8 characters at least)"), EXIT_UNUSABLE)
    try:
        from ..serve.app import create_app
        app = create_app(data_dir, token)
    except StoreError as exc:
        fail(str(exc), EXIT_UNUSABLE)
    import socket

    import uvicorn
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:  # bind first: a port in use is a plain message, not a server that says it started
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail(t(lang, f"无法在 {host}:{port} 启动（{exc.strerror}；端口可能已被占用，可用 --port 换一个）",
               f"cannot listen on {host}:{port} ({exc.strerror}; port in use? try --port)"), EXIT_UNUSABLE)
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{shown}:{port}/?token={token}"
    click.echo(t(lang, f"gxnb 审核台已启动，数据文件夹：{os.path.abspath(data_dir)}",
                 f"gxnb workbench started; data folder: {os.path.abspath(data_dir)}"))
    click.echo(t(lang, f"在浏览器中打开：{url}", f"open in a browser: {url}"))
    if host in ("0.0.0.0", "::"):
        click.echo(t(lang, "已在局域网地址上监听：其他电脑用本机 IP 地址访问，每个请求仍需令牌",
                     "listening on the LAN: other PCs use this PC's address; every request still needs the token"))
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if not no_browser:
        import threading
        import webbrowser

        def _open():
            import time
            for _ in range(100):
                if server.started:
                    webbrowser.open(url)
                    return
                time.sleep(0.1)
        threading.Thread(target=_open, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # pragma: no cover - Ctrl+C
        pass
    if not server.started:
        fail(t(lang, f"无法在 {host}:{port} 启动（端口可能已被占用，可用 --port 换一个）",
               f"cannot listen on {host}:{port} (port in use? try --port)"), EXIT_UNUSABLE)
