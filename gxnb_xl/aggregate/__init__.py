"""汇总: sum many units' reports (townships → county) cell by cell, and say what happened to each file.

One module per concern:

- ``inputs``  — listing: every entry under the inputs with its fate (nothing silently dropped);
- ``pool``    — reading in parallel (``map_files``), workers that die with their parent;
- ``records`` — one record per file (it keeps the file's values), the result of a run;
- ``policy``  — the decisions: which (format, year) group, errors, duplicates, levels, expected units;
- ``sums``    — exact sums and re-derived totals;
- ``naming``  — the county report's name;
- ``summary`` — the 汇总情况 sheet and the county workbook (the words are chosen there);
- ``words``   — catalogue sentences (``messages/aggregate.toml``).

``aggregate(inputs, …)`` runs them in that order and returns an ``AggregateResult``; it takes no
language (the writers choose one). Every input path appears once in ``result.files``, in exactly
one state (``records.STATES``). See ``policy`` for the rules.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..report import Report, ReportError
from ..spec import load_spec
from . import pool as _pool
from .inputs import REPORT_SUFFIXES, SUMMARY_SHEET, display, expand, has_summary_sheet, read_capped, regular_file
from .records import STATES, FileRecord, read_one

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms at every start)
if TYPE_CHECKING:
    from .result import AggregateResult

# The decisions, the naming and the writers load when a run reaches them: `gxnb check` lists its
# inputs through this package and must not pay for them at start-up.
_LAZY = {"AggregateResult": "result", "choose_unit": "naming", "decide": "policy", "match_expected": "policy",
         "summary_rows": "summary", "write_output": "summary"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)

MAX_VALUE = 10 ** 12  # one report's cell at or above this is no real count or amount


class AggregateError(ReportError):
    """The inputs cannot be summed at all."""


def _read(path: str) -> FileRecord:
    """Worker entry (module attribute lookup, so a test may replace ``records.read_one``)."""
    from . import records
    return records.read_one(path)


def _lost(path: str, hung: bool) -> FileRecord:
    rec = FileRecord(display(path), "unreadable", path=path)
    if hung:
        rec.set("unreadable", "agg.why.hung", seconds=_pool.FILE_TIMEOUT)
    else:
        rec.set("unreadable", "agg.why.crashed")
    try:
        rec.mtime = os.stat(path).st_mtime
    except OSError:
        pass
    return rec


def _prepare() -> None:
    """Parse the formats and import the readers once, before forking: the workers inherit them."""
    load_spec("2021"), load_spec("2019")
    from .. import check  # noqa: F401
    try:
        from ..excel import reader  # noqa: F401
    except Exception:  # noqa: BLE001 - read_input says so per file
        pass


def read_all(paths: list[str], *, jobs: int | None = None):
    """(index, record) for each path, in completion order; see ``pool.map_files``."""
    return _pool.map_files(_read, paths, jobs, lost=_lost, prepare=_prepare)


def collect(inputs: Iterable, *, output=None, jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[FileRecord]:
    """List and read every input: one record per entry, in listing order."""
    records: list[FileRecord] = []
    to_read: list[int] = []
    for path, fate in expand(inputs, output=output):
        if fate is None:
            to_read.append(len(records))
            records.append(FileRecord(display(path), "pending", path=path))
        else:
            records.append(fate)
    if progress:
        progress(0, len(to_read))
    for done, (i, rec) in enumerate(read_all([records[k].path for k in to_read], jobs=jobs), 1):
        records[to_read[i]] = rec
        if progress:
            progress(done, len(to_read))
    _exclude_absurd(records)
    return records


def _exclude_absurd(records: list[FileRecord]) -> None:
    """A cell of 10¹² or more is no count: such a report is listed, never summed (it would make
    the county's numbers meaningless, or overflow the workbook)."""
    for r in records:
        if r.values is None or not r.format:
            continue
        typed = [v for v in r.values if v is not None]
        if not typed or -MAX_VALUE < min(typed) and max(typed) < MAX_VALUE:  # the common case, at C speed
            continue
        for c, v in zip(load_spec(r.format).input_cells, r.values):
            if v is not None and abs(v) >= MAX_VALUE:
                r.set("excluded", "agg.why.too_big", value=_short(v), cell_cells=(r.format, [c]))
                break


def _short(v) -> str:
    text = format(v, "f") if not isinstance(v, int) else str(v)
    return text if len(text) <= 24 else f"{text[:12]}…（{len(text)} 位）"


def summarise(records: list[FileRecord], *, unit=None, include_invalid=False, year=None, format_id=None,
              expected_units=None) -> AggregateResult:
    """Decide and sum records already read (used for this year and for a ``--previous`` folder)."""
    from .naming import choose_unit
    from .policy import decide, match_expected
    from .result import AggregateResult
    group, notes, duplicates = decide(records, unit=unit,
                                      include_invalid=include_invalid, year=year, format_id=format_id)
    result = AggregateResult(records, None, {}, include_invalid=include_invalid, notes=notes,
                             duplicates=duplicates)
    if expected_units is not None:
        result.unit_states, result.missing_units, result.unexpected_units = match_expected(records, expected_units, unit)
    included = [r for r in records if r.included]
    if group is None or not included:
        result.refused = ("agg.note.refused_none", {})
        return result
    from .sums import sum_values
    values, result.blank_cells = sum_values(group[0], [r.values for r in included])
    county, result.unit_note = choose_unit(unit, [r.unit for r in included])
    lv = {r.level for r in included}
    from .. import levels
    level = levels.parent(lv.pop()) if len(lv) == 1 else None
    result.report = Report(format=group[0], unit=county, year=group[1], level=level, values=values,
                           extra={"aggregate": {"files": len(included), "include_invalid": include_invalid}})
    result.totals = dict(values)
    result.group = group
    return result


def aggregate(inputs: Iterable, *, unit: str | None = None, expected_units: list[str] | None = None,
              previous: str | os.PathLike | None = None, include_invalid: bool = False,
              year: int | None = None, format_id: str | None = None, jobs: int | None = None,
              output: str | os.PathLike | None = None,
              progress: Callable[[int, int], None] | None = None) -> AggregateResult:
    """Read, check and sum every report under ``inputs``; see ``policy`` for the rules."""
    records = collect(inputs, output=output, jobs=jobs, progress=progress)
    result = summarise(records, unit=unit, include_invalid=include_invalid, year=year, format_id=format_id,
                       expected_units=expected_units)
    for r in records:
        r.values = None  # the decisions are taken: the values are not needed any more
    if result.report is None:
        return result
    prev_report = None
    if previous is not None:
        prev_report = _previous_report(previous, result, include_invalid, jobs, output)
    from ..check import check
    from ..loaded import from_report
    checked = check(from_report(result.report, computed=True), previous=prev_report)  # the one door
    result.report = checked.report
    result.totals = dict(checked.report.values)
    result.findings = [f for f in checked.findings if not (f.rule == "R0" and f.code == "blank")]
    return result


def _previous_report(previous, result: AggregateResult, include_invalid, jobs, output) -> Report | None:
    """Last year's county report (a file), or the sum of a folder of last year's reports (listed,
    read and decided like this year's, without a previous of its own)."""
    p = Path(previous)
    result.previous_source = ("agg.note.previous_file", {"path": display(p)})
    try:
        if p.is_dir():
            prev = summarise(collect([p], output=output, jobs=jobs), include_invalid=include_invalid)
            if prev.report is None:
                raise ReportError("上年度文件夹中没有可以汇总的报告", "last year's folder holds no report that can be summed")
            result.previous_source = ("agg.note.previous_sum", {"path": display(p), "n": len(prev.included)})
            return prev.report
        bad = regular_file(p)
        if bad is not None:
            from .words import reason
            raise ReportError(reason(bad.why, bad.params, "zh"), reason(bad.why, bad.params, "en"))
        from ..check import load
        return load(p).report
    except ReportError as exc:
        result.previous_error = ("agg.note.previous_error", {"why_key": ("agg.why.text", {"zh": exc.message("zh"),
                                                                                            "en": exc.message("en")})})
        return None


def read_expected_units(path: str | os.PathLike) -> list[str]:
    """One unit name a line (UTF-8 or GBK, as Windows Notepad saves); blank lines and # comments
    ignored. Only a regular file of at most 1 MB is read (never a FIFO or /dev/zero)."""
    p = Path(path)
    bad = regular_file(p, max_bytes=1024 * 1024)
    if bad is None and p.is_dir():
        raise ReportError(f"{p.name}：是文件夹，不是单位名单", f"{p.name}: a folder, not a unit list")
    if bad is not None:
        from .words import reason
        raise ReportError(f"{display(p.name)}：无法读取单位名单（{reason(bad.why, bad.params, 'zh')}）",
                          f"{display(p.name)}: cannot read the unit list ({reason(bad.why, bad.params, 'en')})")
    try:
        raw = read_capped(p, 1024 * 1024)
    except OSError as exc:
        raise ReportError(f"{display(p.name)}：无法读取单位名单（{exc.strerror}）",
                          f"{display(p.name)}: cannot read the unit list ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReportError(f"{display(p.name)}：单位名单不是文本文件", f"{display(p.name)}: the unit list is not a text file")
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and line not in names:
            names.append(line)
    return names


def output_conflict(output: str | os.PathLike, inputs: Iterable) -> tuple:
    """Why ``output`` must not be written, as (key, params); () when it may. Not an .xlsx/.json
    name; an existing folder; an existing input (given, or inside an input folder) that is not an
    earlier county summary workbook (.xlsx with a 汇总情况 sheet; only that file is rewritten)."""
    out = Path(output)
    suffix = out.suffix.lower()
    if out.is_dir():
        return ("agg.cli.output_is_dir", {"path": display(out)})
    if suffix not in (".xlsx", ".json"):
        return ("agg.out.suffix", {"path": display(out)})
    if not out.is_file():
        return ()
    target = out.resolve()
    among = False
    for item in inputs:
        p = Path(item)
        try:
            if p.is_file() and p.resolve() == target:
                among = True
            elif p.is_dir() and target.is_relative_to(p.resolve()):
                among = True
        except OSError:
            continue
    if not among or (suffix == ".xlsx" and has_summary_sheet(out)):
        return ()
    return ("agg.out.is_input", {"path": display(out)})


__all__ = ["AggregateError", "AggregateResult", "FileRecord", "REPORT_SUFFIXES", "STATES", "SUMMARY_SHEET",
           "aggregate", "choose_unit", "collect", "has_summary_sheet", "output_conflict", "read_all",
           "read_expected_units", "read_one", "summarise", "summary_rows", "write_output"]
