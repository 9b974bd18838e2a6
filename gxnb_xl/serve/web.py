"""Request helpers shared by the JSON API and the pages: who asks, which language, errors,
CSRF, the collection or submission a path names, downloads."""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .auth import Auth, Principal
from .text import say


class ApiError(Exception):
    def __init__(self, status: int, key: str, **params):
        self.status, self.key, self.params = status, key, params


# ── helpers ───────────────────────────────────────────────────────────────────────────
def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in ("zh", "en"):
        return q
    return "en" if request.cookies.get("gxnb_lang") == "en" else "zh"


def principal(request: Request) -> Principal:
    return request.scope["state"]["principal"]


def need_admin(request: Request) -> Principal:
    p = principal(request)
    if not p.admin:
        raise ApiError(403, "serve_forbidden")
    return p


def _error_json(request: Request, status: int, key: str, **params) -> JSONResponse:
    return JSONResponse({"error": key, "message": say(key, lang_of(request), **params),
                         "message_zh": say(key, "zh", **params), "message_en": say(key, "en", **params)},
                        status_code=status)


def _download(data: bytes, name: str, media: str) -> Response:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def body_json(request: Request) -> dict:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "serve_bad_json") from None
        if not isinstance(data, dict):
            raise ApiError(400, "serve_bad_json")
        return data
    form = await request.form(max_files=0, max_fields=200)
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def check_csrf(request: Request, given: str | None = None) -> None:
    p = principal(request)
    auth: Auth = request.app.state.auth
    if not auth.csrf_ok(p, given or request.headers.get("x-csrf-token")):
        raise ApiError(403, "serve_csrf")


def _row(request: Request, param: str, fetch, missing: str):
    """The stored row a path parameter names (``fetch(id)``), or 404 with ``missing``."""
    try:
        key = int(request.path_params[param])
    except (KeyError, ValueError):
        raise ApiError(404, missing) from None
    row = fetch(key)
    if row is None:
        raise ApiError(404, missing)
    return key, row


def collection_of(request: Request):
    cid, row = _row(request, "cid", request.app.state.store.collection, "serve_no_collection")
    p = principal(request)
    if not p.admin and p.collection_id != cid:
        raise ApiError(403, "serve_forbidden")
    return row


def submission_of(request: Request):
    _, row = _row(request, "sid", request.app.state.store.submission, "serve_no_submission")
    p = principal(request)
    if not p.admin and row["unit_id"] != p.unit_id:
        raise ApiError(403, "serve_forbidden")
    return row
