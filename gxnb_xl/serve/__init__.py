"""gxnb serve — the county office's workbench in the browser.

Public API::

    create_app(data_dir, token) -> Starlette      # the ASGI app over a data folder
    Store(data_dir)                               # SQLite (WAL) + content-addressed originals

Modules: ``store`` (schema and file store), ``intake`` (limits, sniffing, unit matching, the
upload pipeline), ``checkdoor`` (the one call into the library's check), ``board`` (states),
``outputs`` (county workbook, Word report, feedback, templates, hierarchy, dashboard figures),
``auth`` (tokens, CSRF), ``web`` (request helpers), ``actions`` (what requests do to the store),
``app`` (API routes, the guard, the app), ``pages``/``charts`` (HTML, SVG), ``text`` (words from
``gxnb_xl/messages/serve.toml``).
"""
from .store import Store, StoreError

__all__ = ["create_app", "Store", "StoreError"]


def create_app(data_dir, token):
    from .app import create_app as _create
    return _create(data_dir, token)
