"""The HTML pages (server-rendered, Chinese by default, ``?lang=en``): board, submission,
collection setup, township upload links and pages, dashboard. Form posts carry a CSRF field."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from . import charts, intake, outputs
from .actions import create_collection, decide, submission_json
from .auth import UNIT_COOKIE, unit_token
from .board import STATES, board
from .text import say
from .web import ApiError, check_csrf, collection_of, lang_of, need_admin, principal, submission_of

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)


def render(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
    lang = lang_of(request)
    p = request.scope.get("state", {}).get("principal")
    w = request.app.state.words[lang]

    def t(key, **params):
        return say(key, lang, **params) if params else w.get(key, key)

    csrf = request.app.state.auth.csrf(p) if p is not None else ""
    html = _ENV.get_template(name).render(request=request, lang=lang, t=t, csrf=csrf, principal=p,
                                          states=STATES, other_lang="en" if lang == "zh" else "zh",
                                          path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store",
                                                           "X-Content-Type-Options": "nosniff",
                                                           "Referrer-Policy": "same-origin",
                                                           "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, message=message)


async def home(request: Request):
    need_admin(request)
    store = request.app.state.store
    cols = store.collections()
    if not cols:
        return RedirectResponse("/collections/new", 303)
    return await board_page(request, cols[0])


async def collections_page(request: Request):
    need_admin(request)
    return render(request, "collections.html", collections=request.app.state.store.collections())


async def setup_page(request: Request):
    need_admin(request)
    store = request.app.state.store
    error, data = "", {}
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=50)
        check_csrf(request, form.get("csrf"))
        data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        upload = form.get("units_file")
        if upload is not None and not isinstance(upload, str):
            raw = await upload.read(2 * 1024 * 1024)
            if raw:
                for enc in ("utf-8-sig", "gb18030"):
                    try:
                        data["units"] = (data.get("units") or "") + "\n" + raw.decode(enc)
                        break
                    except UnicodeDecodeError:
                        continue
        try:
            cid = await run_in_threadpool(create_collection, store, data)
            return RedirectResponse(f"/c/{cid}", 303)
        except ApiError as exc:
            error = say(exc.key, lang_of(request), **exc.params)
    year = _dt.date.today().year - 1
    return render(request, "setup.html", collections=store.collections(), data=data, error=error,
                  default_year=year, status=400 if error else 200)


async def collection_board(request: Request):
    need_admin(request)
    return await board_page(request, collection_of(request))


async def board_page(request: Request, c):
    store = request.app.state.store
    b = await run_in_threadpool(board, store, c)
    state = request.query_params.get("state")
    rows = [r for r in b["units"] if r["state"] == state] if state in STATES else b["units"]
    from ..office import find_soffice
    return render(request, "board.html", c=c, b=b, rows=rows, state=state if state in STATES else None,
                  collections=store.collections(), has_office=find_soffice() is not None)


async def upload_form(request: Request):
    """The no-script upload: a plain multipart form, answered by the board."""
    p = principal(request)
    c = collection_of(request) if "cid" in request.path_params else None
    form = await request.form(max_files=intake.MAX_FILES + 1, max_fields=50)
    check_csrf(request, form.get("csrf") if isinstance(form.get("csrf"), str) else None)
    files = [(value.filename or "upload", value.file) for key, value in form.multi_items()
             if key == "files" and not isinstance(value, str) and (value.filename or value.size)]
    store = request.app.state.store
    if c is None:  # a township's link
        u = store.unit(p.unit_id)
        c = store.collection(u["collection_id"])
    else:
        need_admin(request)
    try:
        results = await run_in_threadpool(intake.receive, store, c, files, source="reviewer" if p.admin else "unit",
                                          only_unit=p.unit_id) if files else []
    finally:
        await form.close()
    if not p.admin:
        return await township_page(request, results=results)
    return render(request, "uploaded.html", c=c, results=results)


async def submission_page(request: Request):
    sub = submission_of(request)
    store = request.app.state.store
    lang = lang_of(request)
    data = await run_in_threadpool(submission_json, store, sub, lang)
    c = store.collection(sub["collection_id"])
    units = store.units(c["id"]) if data["unit_id"] is None else []
    return render(request, "submission.html", s=data, c=c, units=units)


async def decide_form(request: Request):
    need_admin(request)
    sub = submission_of(request)
    form = await request.form(max_files=0, max_fields=20)
    check_csrf(request, form.get("csrf"))
    data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    fid = data.get("finding")
    await run_in_threadpool(decide, request, sub, int(fid) if fid and fid.isdigit() else None, data)
    return RedirectResponse(f"/s/{sub['id']}#f{fid or ''}", 303)


async def assign_form(request: Request):
    need_admin(request)
    sub = submission_of(request)
    form = await request.form(max_files=0, max_fields=20)
    check_csrf(request, form.get("csrf"))
    store = request.app.state.store
    if form.get("role") == "county":
        store.set_role(sub["id"], "county")
    else:
        c = store.collection(sub["collection_id"])
        uid = intake.match_unit(str(form.get("unit") or ""), store.units(c["id"]), c["unit"])
        if uid is not None:
            store.assign_unit(sub["id"], uid)
    return RedirectResponse(f"/s/{sub['id']}", 303)


async def links_page(request: Request):
    need_admin(request)
    c = collection_of(request)
    base = str(request.base_url).rstrip("/")
    units = request.app.state.store.units(c["id"])
    links = [(u, f"{base}/t/{unit_token(u)}") for u in units]
    return render(request, "links.html", c=c, links=links)


async def dashboard_page(request: Request):
    need_admin(request)
    c = collection_of(request)
    store = request.app.state.store
    lang = lang_of(request)
    d = await run_in_threadpool(outputs.dashboard, store, c, lang)
    b = await run_in_threadpool(board, store, c)
    svgs = {
        "applications": charts.bars(d["applications"], title=say("serve_chart_applications", lang)),
        "outcomes": charts.bars(d["outcomes"], title=say("serve_chart_outcomes", lang), share=True),
        "states": charts.bars([(say(f"serve_state_{s}", lang), b["counts"][s]) for s in STATES],
                              title=say("serve_chart_states", lang)),
        "rules": charts.bars(d["errors_by_rule"], title=say("serve_chart_rules", lang)),
    }
    yoy = [(say("serve_this_year", lang, year=c["year"]), d["total"])]
    if d["previous_total"] is not None:
        yoy.insert(0, (say("serve_last_year", lang, year=c["year"] - 1), d["previous_total"]))
    svgs["yoy"] = charts.bars(yoy, title=say("serve_chart_yoy", lang))
    hier = await run_in_threadpool(outputs.hierarchy, store, c, lang)
    return render(request, "dashboard.html", c=c, d=d, svgs=svgs, hier=hier)


async def township_page(request: Request, results=None):
    p = principal(request)
    store = request.app.state.store
    if p.admin or p.unit_id is None:
        raise ApiError(403, "serve_forbidden")
    u = store.unit(p.unit_id)
    c = store.collection(u["collection_id"])
    versions = store.versions(u["id"])
    latest = submission_json(store, versions[0], lang_of(request)) if versions else None
    resp = render(request, "township.html", c=c, u=u, versions=versions, s=latest, results=results,
                  token=unit_token(u))
    if p.via == "link":
        resp.set_cookie(UNIT_COOKIE, p.token, httponly=True, samesite="lax", path="/")
    return resp


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/collections", collections_page),
        Route("/collections/new", setup_page, methods=["GET", "POST"]),
        Route("/c/{cid:int}", collection_board),
        Route("/c/{cid:int}/upload", upload_form, methods=["POST"]),
        Route("/c/{cid:int}/links", links_page),
        Route("/c/{cid:int}/dashboard", dashboard_page),
        Route("/s/{sid:int}", submission_page),
        Route("/s/{sid:int}/decide", decide_form, methods=["POST"]),
        Route("/s/{sid:int}/assign", assign_form, methods=["POST"]),
        Route("/t/{token:str}", township_page),
        Route("/t/{token:str}/upload", upload_form, methods=["POST"]),
    ]


__all__ = ["routes", "render", "error_page"]
