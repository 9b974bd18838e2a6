"""gxnb serve — start the browser workbench on this PC (or the office LAN)."""
from __future__ import annotations

import os
import secrets
import sys

from .common import EXIT_OK, EXIT_UNUSABLE, echo, fail, t
from .parsing import add_lang, folder_path, int_range

HELP = """启动网页审核台：收集、校验、审核、退回、汇总、生成报告。

每个请求都需要访问令牌（启动时显示；也可用环境变量 GXNB_TOKEN 指定）。"""


def configure(parser):
    parser.add_argument("--data", dest="data_dir", default="gxnb-data", type=folder_path, metavar="DIRECTORY",
                        help="数据文件夹（数据库和收到的原文件）/ data folder (database and received files)"
                             "（默认 / default: %(default)s）")
    parser.add_argument("--host", default="127.0.0.1",
                        help="监听地址；0.0.0.0 供局域网访问 / address to listen on (0.0.0.0: the office LAN)"
                             "（默认 / default: %(default)s）")
    parser.add_argument("--port", default=8765, type=int_range(0, 65535), metavar="PORT",
                        help="端口 / port（默认 / default: %(default)s）")
    parser.add_argument("--no-browser", action="store_true", help="不自动打开浏览器 / do not open a browser")
    add_lang(parser)


def run(args) -> int:
    data_dir, host, port, no_browser, lang = args.data_dir, args.host, args.port, args.no_browser, args.lang
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
    echo(t(lang, f"gxnb 审核台已启动，数据文件夹：{os.path.abspath(data_dir)}",
           f"gxnb workbench started; data folder: {os.path.abspath(data_dir)}"))
    echo(t(lang, f"在浏览器中打开：{url}", f"open in a browser: {url}"))
    if host in ("0.0.0.0", "::"):
        echo(t(lang, "已在局域网地址上监听：其他电脑用本机 IP 地址访问，每个请求仍需令牌",
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
    return EXIT_OK
