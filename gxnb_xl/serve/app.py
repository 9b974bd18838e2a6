"""The ASGI app: routes of the JSON API and the pages, the token guard, static files.

Handlers parse, call the library (through ``intake``/``outputs``/``board``), render. Blocking
work (reading, checking, summing, writing) runs in a worker thread so the server stays
responsive; the store serialises its own writes.
"""
from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import intake, outputs, pages
from .actions import collection_json, create_collection, decide, submission_json
from .auth import ADMIN_COOKIE, Auth, unit_token
from .board import STATES, board
from .store import Store
from .text import say, words
from .web import (DOCX, XLSX, ApiError, _download, _error_json, body_json, check_csrf, collection_of, lang_of,
                  need_admin, principal, submission_of)

PACKAGE = Path(__file__).resolve().parent
STATIC = {  # the only files served from disk besides the store's own objects
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "app.css": ("app.css", "text/css; charset=utf-8"),
}
MAX_BODY = int(os.environ.get("GXNB_MAX_BODY_MB", "600")) * 1024 * 1024


# ── the guard ─────────────────────────────────────────────────────────────────────────
class Guard:
    """Every request is refused unless a token authenticates it (no exception for any path)."""

    def __init__(self, app, auth: Auth):
        self.app, self.auth = app, auth

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        path = scope["path"]
        lang = lang_of(request)
        if path == "/" and "token" in request.query_params:
            token = request.query_params["token"]
            if self.auth.admin(token):
                resp = RedirectResponse("/" + (f"?lang={lang}" if "lang" in request.query_params else ""), 303)
                resp.set_cookie(ADMIN_COOKIE, token, httponly=True, samesite="lax", path="/")
                return await resp(scope, receive, send)
            return await self._refuse(request, scope, receive, send)
        if path.startswith("/t/"):  # a unit's link: its own token, nothing else
            p = self.auth.identify(path[3:].split("/", 1)[0], "link")
            p = p if p is not None and not p.admin else None
        else:
            p = self.auth.principal(request.headers, request.cookies)
        if p is None:
            return await self._refuse(request, scope, receive, send)
        origin = request.headers.get("origin")
        if origin and origin != "null" and scope["method"] not in ("GET", "HEAD") \
                and origin.split("://", 1)[-1] != request.headers.get("host"):
            return await self._csrf_refused(request, scope, receive, send)  # a post from another site
        scope.setdefault("state", {})["principal"] = p
        if "lang" in request.query_params and request.query_params["lang"] in ("zh", "en"):
            async def send_lang(message):
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append(
                        (b"set-cookie", f"gxnb_lang={request.query_params['lang']}; Path=/; SameSite=Lax".encode()))
                await send(message)
            return await self.app(scope, receive, send_lang)
        return await self.app(scope, receive, send)

    async def _csrf_refused(self, request, scope, receive, send):
        if scope["path"].startswith("/api/"):
            resp = _error_json(request, 403, "serve_csrf")
        else:
            resp = HTMLResponse(f"<!doctype html><meta charset=utf-8><title>gxnb</title><link rel=icon href='data:,'>"
                                f"<p>{say('serve_csrf', lang_of(request))}</p>", status_code=403)
        return await resp(scope, receive, send)

    async def _refuse(self, request, scope, receive, send):
        if scope["path"].startswith("/api/"):
            resp = _error_json(request, 401, "serve_unauthorized")
            resp.headers["WWW-Authenticate"] = "Bearer"
        else:
            lang = lang_of(request)
            resp = HTMLResponse(f"<!doctype html><meta charset=utf-8><title>gxnb</title><link rel=icon href='data:,'>"
                                f"<p>{say('serve_unauthorized', lang)}</p>", status_code=401)
        return await resp(scope, receive, send)


# ── API: collections ──────────────────────────────────────────────────────────────────
async def api_collections(request: Request):
    need_admin(request)
    store = request.app.state.store
    if request.method == "POST":
        data = await body_json(request)
        if principal(request).via != "bearer":
            check_csrf(request, data.get("csrf"))
        cid = await run_in_threadpool(create_collection, store, data)
        return JSONResponse({"id": cid}, status_code=201)
    return JSONResponse({"collections": [collection_json(c) for c in store.collections()]})


async def api_collection(request: Request):
    c = collection_of(request)
    store = request.app.state.store
    d = collection_json(c)
    if principal(request).admin:
        base = str(request.base_url).rstrip("/")
        d["units"] = [{"unit": u["name"], "unit_id": u["id"], "link": f"{base}/t/{unit_token(u)}"} for u in store.units(c["id"])]
    return JSONResponse(d)


async def api_files(request: Request):
    p = principal(request)
    if "cid" in request.path_params:
        c = collection_of(request)
    else:  # /t/<token>/files: a unit's link, its own collection
        c = request.app.state.store.collection(p.collection_id)
    store = request.app.state.store
    try:
        form = await request.form(max_files=intake.MAX_FILES + 1, max_fields=50, max_part_size=1024 * 1024)
    except HTTPException as exc:
        raise ApiError(400, "serve_bad_upload", detail=str(exc.detail)) from None
    check_csrf(request, form.get("csrf") if isinstance(form.get("csrf"), str) else None)
    # every file part (the documented field is "files"); read one at a time in the worker thread
    files = [(value.filename or "upload", value.file) for key, value in form.multi_items() if not isinstance(value, str)]
    try:
        if not files:
            raise ApiError(400, "serve_no_files")
        if len(files) > intake.MAX_FILES:
            raise ApiError(413, "serve_too_many_files", n=intake.MAX_FILES)
        results = await run_in_threadpool(intake.receive, store, c, files,
                                          source="reviewer" if p.admin else "unit", only_unit=p.unit_id)
    except OSError as exc:  # the data folder cannot take the files: nothing of this upload is recorded
        raise ApiError(507, "serve_disk", why=exc.strerror or str(exc)) from None
    finally:
        await form.close()
    lang = lang_of(request)
    for r in results:
        if lang == "en" and "message_en" in r:
            r["message"] = r["message_en"]
        r.pop("message_en", None)
    return JSONResponse({"files": results})


async def api_status(request: Request):
    need_admin(request)
    c = collection_of(request)
    b = await run_in_threadpool(board, request.app.state.store, c)
    return JSONResponse({"collection": collection_json(c), "units": b["units"], "counts": b["counts"],
                         "unmatched": b["unmatched"], "county": b["county"]})


async def api_aggregate(request: Request):
    need_admin(request)
    c = collection_of(request)
    lang = lang_of(request)
    inc = request.query_params.get("include_invalid") in ("1", "true", "yes")
    data, _ = await run_in_threadpool(outputs.aggregate_xlsx, request.app.state.store, c, include_invalid=inc, lang=lang)
    return _download(data, say("serve_aggregate_name", lang, unit=outputs.safe_name(c["unit"]), year=c["year"]) + ".xlsx", XLSX)


async def api_report(request: Request):
    need_admin(request)
    c = collection_of(request)
    inc = request.query_params.get("include_invalid") in ("1", "true", "yes")
    pdf = request.path_params.get("ext") == "pdf"
    store = request.app.state.store
    if pdf:
        data = await run_in_threadpool(outputs.report_pdf, store, c, include_invalid=inc)
    else:
        data = await run_in_threadpool(outputs.report_docx, store, c, include_invalid=inc)
    name = f"{outputs.safe_name(c['unit'])}{c['year']}年政府信息公开工作年度报告"
    return _download(data, name + (".pdf" if pdf else ".docx"), "application/pdf" if pdf else DOCX)


async def api_feedback(request: Request):
    need_admin(request)
    c = collection_of(request)
    lang = lang_of(request)
    states = tuple(s for s in request.query_params.get("states", "returned").split(",") if s in STATES)
    data = await run_in_threadpool(outputs.feedback_zip, request.app.state.store, c, states=states or ("returned",), lang=lang)
    return _download(data, say("serve_feedback_name", lang, year=c["year"]) + ".zip", "application/zip")


async def api_templates(request: Request):
    need_admin(request)
    c = collection_of(request)
    store = request.app.state.store
    data = await run_in_threadpool(outputs.templates_zip, c, store.units(c["id"]))
    return _download(data, say("serve_templates_name", "zh", year=c["year"]) + ".zip", "application/zip")


async def api_unit_template(request: Request):
    store = request.app.state.store
    u = store.unit(int(request.path_params["uid"]))
    p = principal(request)
    if u is None:
        raise ApiError(404, "serve_no_unit_row")
    if not p.admin and p.unit_id != u["id"]:
        raise ApiError(403, "serve_forbidden")
    c = store.collection(u["collection_id"])
    data = await run_in_threadpool(outputs.template_for, c, u["name"])
    return _download(data, f"{outputs.safe_name(u['name'])}-{c['year']}.xlsx", XLSX)


async def api_hierarchy(request: Request):
    need_admin(request)
    c = collection_of(request)
    return JSONResponse(await run_in_threadpool(outputs.hierarchy, request.app.state.store, c, lang_of(request)))


async def api_dashboard(request: Request):
    need_admin(request)
    c = collection_of(request)
    return JSONResponse(await run_in_threadpool(outputs.dashboard, request.app.state.store, c, lang_of(request)))


# ── API: submissions ──────────────────────────────────────────────────────────────────
async def api_submission(request: Request):
    sub = submission_of(request)
    return JSONResponse(submission_json(request.app.state.store, sub, lang_of(request)))


async def api_decision(request: Request):
    need_admin(request)
    sub = submission_of(request)
    data = await body_json(request)
    check_csrf(request, data.get("csrf"))
    fid = request.path_params.get("fid")
    try:
        fid = int(fid) if fid is not None else None
    except ValueError:
        raise ApiError(404, "serve_no_finding") from None
    d = await run_in_threadpool(decide, request, sub, fid, data)
    return JSONResponse({k: d[k] for k in ("decision", "note", "by", "at")})


async def api_assign(request: Request):
    need_admin(request)
    sub = submission_of(request)
    data = await body_json(request)
    check_csrf(request, data.get("csrf"))
    store: Store = request.app.state.store
    if data.get("role") == "county":
        store.set_role(sub["id"], "county")
        return JSONResponse({"role": "county"})
    c = store.collection(sub["collection_id"])
    uid = intake.match_unit(str(data.get("unit") or ""), store.units(c["id"]), c["unit"])
    if uid is None:
        raise ApiError(400, "serve_no_unit_row")
    version = store.assign_unit(sub["id"], uid)
    return JSONResponse({"unit": store.unit(uid)["name"], "version": version})


async def api_original(request: Request):
    sub = submission_of(request)
    store: Store = request.app.state.store
    path = store.blob_path(sub["sha256"])
    ext = path.suffix
    name = sub["filename"].replace("\\", "/").rsplit("/", 1)[-1] or f"file{ext}"
    return _download(path.read_bytes(), name, "application/octet-stream")


async def api_annotated(request: Request):
    sub = submission_of(request)
    store: Store = request.app.state.store
    from .checkdoor import annotated
    lang = lang_of(request)
    data = await run_in_threadpool(annotated, store.blob_path(sub["sha256"]), None, lang)
    if data is None:
        raise ApiError(400, "serve_unreadable_no_annotation")
    unit = store.unit(sub["unit_id"]) if sub["unit_id"] else None
    name = outputs.safe_name(unit["name"] if unit else sub["report_unit"] or "report")
    return _download(data, f"{name}-{say('serve_annotated_name', lang)}.xlsx", XLSX)


async def api_review(request: Request):
    sub = submission_of(request)
    store: Store = request.app.state.store
    lang = lang_of(request)
    unit = store.unit(sub["unit_id"]) if sub["unit_id"] else None
    c = store.collection(sub["collection_id"])
    text = await run_in_threadpool(outputs.review_text, store, c, sub, unit["name"] if unit else (sub["report_unit"] or ""), lang)
    name = outputs.safe_name(unit["name"] if unit else "report")
    return _download(("\ufeff" + text).encode("utf-8"), f"{name}-{say('serve_review_name', lang)}.txt",
                     "text/plain; charset=utf-8")


# ── static ────────────────────────────────────────────────────────────────────────────
async def static(request: Request):
    entry = STATIC.get(request.path_params["name"])
    if entry is None:
        raise ApiError(404, "serve_not_found")
    data = (PACKAGE / "static" / entry[0]).read_bytes()
    return Response(data, media_type=entry[1], headers={"Cache-Control": "no-cache"})


# ── the app ───────────────────────────────────────────────────────────────────────────
def create_app(data_dir: str | os.PathLike, token: str) -> Starlette:
    """The workbench over the data folder ``data_dir``; ``token`` is the admin token."""
    store = Store(data_dir)
    auth = Auth(store, token)

    async def api_error(request: Request, exc: ApiError):
        if request.url.path.startswith("/api/"):
            return _error_json(request, exc.status, exc.key, **exc.params)
        return pages.error_page(request, exc.status, say(exc.key, lang_of(request), **exc.params))

    async def report_error(request: Request, exc):
        lang = lang_of(request)
        msg = exc.message(lang) if hasattr(exc, "message") else str(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "serve_unusable", "message": msg}, status_code=422)
        return pages.error_page(request, 422, msg)

    async def http_error(request: Request, exc: HTTPException):
        key = {404: "serve_not_found", 405: "serve_method", 413: "serve_too_big_body"}.get(exc.status_code, "serve_bad_request")
        params = {"mb": MAX_BODY // 1048576} if exc.status_code == 413 else {}
        if request.url.path.startswith("/api/"):
            return _error_json(request, exc.status_code, key, **params)
        return pages.error_page(request, exc.status_code, say(key, lang_of(request), **params))

    async def internal_error(request: Request, exc: Exception):
        """A bug: the traceback goes to the server's console for the maintainers, the user gets a
        plain message (never a traceback in the page or the API)."""
        import sys
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        if request.url.path.startswith("/api/"):
            return _error_json(request, 500, "serve_internal", detail=detail)
        return pages.error_page(request, 500, say("serve_internal", lang_of(request), detail=detail))

    from ..errors import ReportError
    from ..office import OfficeError
    routes = [
        Route("/api/collections", api_collections, methods=["GET", "POST"]),
        Route("/api/collections/{cid:int}", api_collection),
        Route("/api/collections/{cid:int}/files", api_files, methods=["POST"]),
        Route("/api/collections/{cid:int}/status", api_status),
        Route("/api/collections/{cid:int}/aggregate.xlsx", api_aggregate),
        Route("/api/collections/{cid:int}/report.{ext:str}", api_report),
        Route("/api/collections/{cid:int}/feedback.zip", api_feedback),
        Route("/api/collections/{cid:int}/templates.zip", api_templates),
        Route("/api/collections/{cid:int}/hierarchy", api_hierarchy),
        Route("/api/collections/{cid:int}/dashboard", api_dashboard),
        Route("/api/units/{uid:int}/template.xlsx", api_unit_template),
        Route("/api/submissions/{sid:int}", api_submission),
        Route("/api/submissions/{sid:int}/findings/{fid:int}/decision", api_decision, methods=["POST"]),
        Route("/api/submissions/{sid:int}/decision", api_decision, methods=["POST"]),
        Route("/api/submissions/{sid:int}/unit", api_assign, methods=["POST"]),
        Route("/api/submissions/{sid:int}/original", api_original),
        Route("/api/submissions/{sid:int}/annotated.xlsx", api_annotated),
        Route("/api/submissions/{sid:int}/review.txt", api_review),
        Route("/t/{token:str}/files", api_files, methods=["POST"]),
        Route("/static/{name:str}", static),
        *pages.routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={ApiError: api_error, ReportError: report_error,
                                                       OfficeError: report_error, HTTPException: http_error,
                                                       Exception: internal_error},
                    max_body_size=MAX_BODY)
    app.state.store = store
    app.state.auth = auth
    app.state.words = {lang: words(lang) for lang in ("zh", "en")}
    app.add_middleware(Guard, auth=auth)
    return app
