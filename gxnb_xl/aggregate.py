"""汇总: sum many units' reports (townships → county) cell by cell, and say what happened to each file.

The pipeline streams: files are read and checked in a process pool (``ProcessPoolExecutor`` fed
a few chunks at a time), each worker sends back one small record per file (meta, finding counts,
the input cells' values); the main process adds the values into one running sum per (format,
year) and forgets them. Memory stays flat however many files there are. A worker that dies or
hangs never stops the run: the file that caused it is listed as unreadable with the reason.

Policy (documented in the README, asserted by tests):

- every input path appears once in ``AggregateResult.files`` — summed, excluded with a reason,
  or skipped (lock files ``~$…``, OS litter, files that are not reports);
- by default only reports without error findings are summed; ``include_invalid`` sums them
  too (blank cells then contribute nothing) and the result says so;
- only input cells are summed; derived cells (totals) are recomputed from the sums, so a stale
  or tampered total in one file cannot leak into the county report;
- reports of different formats or years are never summed together: the run is refused unless
  ``year`` picks one year (the others are then excluded with a reason);
- the same unit twice: the most recently modified file is summed, the others are excluded
  (a resent, corrected workbook is the usual cause);
- a workbook with a 汇总情况 sheet is an earlier county summary (this tool's own output): it is
  listed as skipped, never summed as a township; a report whose unit is the county's own
  (``unit``) or whose level is above the inputs' (a county report among townships) is listed
  as not summed; a report whose cover has no unit or no year is not summed (it cannot be told
  apart from another unit's report, so duplicates would go unnoticed);
- the output never overwrites an input: ``output_conflict`` says why, unless the output is an
  earlier county summary workbook (it has a 汇总情况 sheet), which is then rewritten;
- ``previous``: last year's county report (a file), or a folder of last year's township
  reports (summed the same way); the county sums are checked against it with the format's
  cross-year relations (X1 …) and the findings are listed — they never exclude anything.
"""
from __future__ import annotations

import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .inputs import WORKBOOK_SUFFIXES
from .report import Report, ReportError
from .spec import load_spec
from .values import format_number

REPORT_SUFFIXES = WORKBOOK_SUFFIXES + (".json",)
# files an OS or office suite leaves in folders: listed, but not counted as missing reports
_LITTER = {"thumbs.db", "desktop.ini", ".ds_store"}
MAX_MESSAGES = 3  # error messages kept per file (the full list is `gxnb check`'s job)
CHUNK_TIMEOUT = 300  # seconds without any chunk finishing: a worker hangs (a file reads in ~10 ms)
FILE_TIMEOUT = 120  # seconds for one file read alone before it is given up as hung

# record kinds of a skipped file
SKIP_LOCK, SKIP_LITTER, SKIP_TYPE, SKIP_OUTPUT, SKIP_SUMMARY = "lock", "litter", "type", "output", "summary"

LEVEL_ABOVE = {"township": "county", "county_department": "county", "county": "city",
               "city_department": "city", "city": "province", "province_department": "province"}
# how high a report's level is: reports of one rank are summed into the rank above
LEVEL_RANK = {"township": 1, "county_department": 1, "county": 2, "city_department": 2, "city": 3,
              "province_department": 3, "province": 4}
LEVEL_ZH = {"township": "乡镇（街道）", "county_department": "县级政府部门", "county": "县级人民政府",
            "city_department": "市级政府部门", "city": "市级人民政府", "province_department": "省级政府部门",
            "province": "省级人民政府"}


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


class AggregateError(ReportError):
    """The inputs cannot be summed at all (mixed formats/years, nothing usable)."""


@dataclass
class FileRecord:
    """What happened to one input path. Small: kept for every file of the run."""

    file: str
    status: str  # ok | warnings | errors | unreadable | skipped
    unit: str | None = None
    year: int | None = None
    format: str | None = None
    level: str | None = None
    errors: int = 0
    warnings: int = 0
    messages: tuple[str, ...] = ()  # first error messages (or the reason it is unreadable)
    included: bool = False
    reason: str = ""
    mtime: float = 0.0
    skip: str = ""  # lock | litter | type | output | summary for skipped files
    blanks: int = 0  # input cells left blank
    values: tuple | None = field(default=None, repr=False)  # input cells; dropped once summed

    @property
    def counts_as_excluded(self) -> bool:
        """Lock files and OS litter are listed but are not anybody's missing report."""
        return not self.included and self.skip not in (SKIP_LOCK, SKIP_LITTER, SKIP_OUTPUT, SKIP_SUMMARY)

    def to_dict(self) -> dict:
        return {"file": self.file, "unit": self.unit, "year": self.year, "format": self.format,
                "status": self.status, "errors": self.errors, "warnings": self.warnings,
                "included": self.included, "reason": self.reason, "messages": list(self.messages)}


@dataclass
class AggregateResult:
    files: list[FileRecord]
    report: Report | None  # the summed report (None when nothing could be summed)
    totals: dict  # cell id → value (derived cells recomputed); {} when nothing summed
    missing_units: list[str] = field(default_factory=list)
    unexpected_units: list[str] = field(default_factory=list)  # summed but not on --units list
    duplicates: list[dict] = field(default_factory=list)  # {"unit", "files", "used"}
    refused: str = ""  # why nothing was summed (mixed formats/years, no usable report)
    include_invalid: bool = False
    findings: list = field(default_factory=list)  # check of the summed report (incl. cross-year)
    previous_source: str = ""
    previous_error: str = ""
    blank_cells: int = 0  # cells blank in some summed report (only with include_invalid)
    unit_note: str = ""  # how the county unit name was chosen
    lang: str = "zh"

    @property
    def included(self) -> list[FileRecord]:
        return [f for f in self.files if f.included]

    @property
    def exit_code(self) -> int:
        """0 everything summed; 1 some file excluded or a unit missing; 2 nothing summed, or last
        year's data (``previous``) cannot be used (as ``gxnb check --previous``)."""
        if self.report is None or self.previous_error:
            return 2
        if self.missing_units or any(f.counts_as_excluded for f in self.files):
            return 1
        return 0

    @property
    def cross_year(self) -> list:
        return [f for f in self.findings if f.rule.startswith("X")]

    def totals_json(self) -> dict:
        if self.report is None:
            return {}
        spec = self.report.spec
        out = {}
        for cid, v in self.totals.items():
            if v is None:
                out[cid] = None
            elif spec.cells[cid].type == "amount":
                out[cid] = format_number(v)
            else:
                out[cid] = int(v) if v == int(v) else format_number(v)
        return out

    def to_dict(self) -> dict:
        rep = self.report
        return {
            "files": [f.to_dict() for f in self.files],
            "totals": self.totals_json(),
            "missing_units": list(self.missing_units),
            "duplicates": [dict(d) for d in self.duplicates],
            "unexpected_units": list(self.unexpected_units),
            "format": rep.format if rep else None,
            "year": rep.year if rep else None,
            "unit": rep.unit if rep else None,
            "included": sum(f.included for f in self.files),
            "include_invalid": self.include_invalid,
            "refused": self.refused or None,
            "findings": [f.to_dict() for f in self.findings if f.status != "indeterminate"],
            "previous": self.previous_source or None,
            "previous_error": self.previous_error or None,
        }


# ── listing the inputs ─────────────────────────────────────────────────────────────────────
def expand_inputs(inputs: Iterable, *, output: str | os.PathLike | None = None,
                  lang: str = "zh") -> Iterator[tuple[str, FileRecord | None]]:
    """Every path under the inputs (folders recursively, sorted), each with a skip record or None.

    Nothing is dropped: a missing path, a lock file or a PDF comes back with its record.
    """
    out_resolved = _resolve(output) if output else None
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for sub in sorted(p.rglob("*"), key=lambda x: str(x)):
                if sub.is_file():
                    yield str(sub), _skip_reason(sub, out_resolved, lang)
        elif not p.exists():
            yield str(p), FileRecord(str(p), "unreadable", reason=_t(lang, "文件不存在", "no such file"),
                                     messages=(_t(lang, "文件不存在", "no such file"),))
        else:
            yield str(p), _skip_reason(p, out_resolved, lang)


def _resolve(p) -> Path:
    try:
        return Path(p).resolve()
    except OSError:  # pragma: no cover
        return Path(p).absolute()


def _skip_reason(p: Path, output: Path | None, lang: str) -> FileRecord | None:
    name = p.name
    if output is not None and _resolve(p) == output:
        return FileRecord(str(p), "skipped", skip=SKIP_OUTPUT,
                          reason=_t(lang, "本次汇总的输出文件，不作为输入", "this run's own output file, not an input"))
    if name.startswith("~$"):
        return FileRecord(str(p), "skipped", skip=SKIP_LOCK,
                          reason=_t(lang, "Excel/WPS 打开文件时留下的临时锁文件，已跳过",
                                    "Excel/WPS lock file (left while a workbook is open), skipped"))
    if name.lower() in _LITTER or name.startswith("."):
        return FileRecord(str(p), "skipped", skip=SKIP_LITTER,
                          reason=_t(lang, "系统或隐藏文件，已跳过", "system or hidden file, skipped"))
    if p.suffix.lower() not in REPORT_SUFFIXES:
        kind = p.suffix.lower() or _t(lang, "无扩展名", "no extension")
        return FileRecord(str(p), "skipped", skip=SKIP_TYPE,
                          reason=_t(lang, f"不是报告工作簿（{kind}），未汇总；请报送 Excel 工作簿",
                                    f"not a report workbook ({kind}), not summed; a workbook is needed"))
    return None


def has_summary_sheet(path: str | os.PathLike) -> bool:
    """True when the workbook has a 汇总情况 sheet: a county summary this tool wrote. Never raises.

    An .xlsx/.xlsm is a zip whose xl/workbook.xml names the sheets (read without opening the
    sheets); other workbook kinds are asked through calamine."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8", "replace")
        names = re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', xml)
        return SUMMARY_SHEET in {n.replace("&amp;", "&") for n in names}
    except (zipfile.BadZipFile, KeyError):
        pass
    except Exception:  # noqa: BLE001 - unreadable: the reader says why
        return False
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return False
    try:
        from python_calamine import CalamineWorkbook
        return SUMMARY_SHEET in CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # noqa: BLE001
        return False


def output_conflict(output: str | os.PathLike, inputs: Iterable, lang: str = "zh") -> str:
    """Why ``output`` must not be written ("" when it may): it is not an .xlsx/.json name, or it
    is an existing input file (given, or inside an input folder) that is not an earlier county
    summary workbook (.xlsx with a 汇总情况 sheet; only that exact file is then rewritten)."""
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".json"):
        return _t(lang, f"汇总结果应写为 .xlsx 工作簿（官方模板 + “汇总情况”表），请把输出文件名改为以 .xlsx 结尾，如 县汇总.xlsx：{output}",
                  f"the summary must be written as an .xlsx workbook (e.g. county.xlsx): {output}")
    if not out.is_file():
        return ""
    target = _resolve(out)
    among = False
    for item in inputs:
        p = Path(item)
        if p.is_file() and _resolve(p) == target:
            among = True
        elif p.is_dir():
            folder = _resolve(p)
            among = among or target.is_relative_to(folder)
    if not among:
        return ""
    if suffix == ".xlsx" and has_summary_sheet(out):
        return ""  # an earlier county summary: rewritten, and skipped as an input
    return _t(lang, f"输出文件 {output} 已存在且是本次的输入文件之一，不能覆盖（输入文件不会被改写）。"
                    "只有本工具以前写出的县级汇总工作簿（.xlsx，含“汇总情况”工作表）可以用同一文件名重新写出；"
                    "请换一个输出文件名，如 县汇总.xlsx",
              f"the output {output} exists and is one of the inputs; inputs are never overwritten "
              "(only an earlier county summary .xlsx with a 汇总情况 sheet may be rewritten); choose another name")


# ── reading one file (runs in a worker process) ───────────────────────────────────────────
def read_one(path: str, lang: str = "zh") -> FileRecord:
    """Read and check one file; never raises. The record carries the input cells' values."""
    from .check import check
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES and has_summary_sheet(path):
        return FileRecord(path, "skipped", skip=SKIP_SUMMARY, mtime=mtime,
                          reason=_t(lang, "这是汇总结果（含“汇总情况”工作表），不作为乡镇报告汇总",
                                    "an earlier summary (it has a 汇总情况 sheet), not summed as a unit's report"))
    try:
        result = check(path)
    except ReportError as exc:
        msg = exc.message(lang)
        return FileRecord(path, "unreadable", reason=msg, messages=(msg,), mtime=mtime)
    except Exception as exc:  # a file that crashes a reader must not stop the county
        msg = _t(lang, f"读取时出错（{type(exc).__name__}: {exc}）", f"failed to read ({type(exc).__name__}: {exc})")
        return FileRecord(path, "unreadable", reason=msg, messages=(msg,), mtime=mtime)
    rep = result.report
    spec = rep.spec
    errors = [f for f in result.findings if f.is_error]
    warnings = sum(f.severity == "warning" and f.status != "indeterminate" for f in result.findings)
    values = tuple(rep.values.get(c) for c in spec.input_cells)
    unit = rep.unit.strip() if isinstance(rep.unit, str) and rep.unit.strip() else None
    return FileRecord(path, result.status, unit=unit, year=rep.year, format=rep.format, level=rep.level,
                      errors=len(errors), warnings=warnings,
                      messages=tuple(f.text(lang) for f in errors[:MAX_MESSAGES]),
                      mtime=mtime, blanks=sum(v is None for v in values), values=values)


def _read_chunk(chunk: list[tuple[int, str]], lang: str) -> list[tuple[int, FileRecord]]:
    """Runs in a worker process: one small record per path of the chunk."""
    return [(index, read_one(path, lang)) for index, path in chunk]


def _lost_record(path: str, lang: str, hung: bool = False) -> FileRecord:
    """The record of a file whose reading killed (or hung) a worker process."""
    if hung:
        msg = _t(lang, f"读取超时（超过 {FILE_TIMEOUT} 秒仍未读完，文件可能异常），未汇总；请用 Excel/WPS 打开检查后另存再报送",
                 f"reading timed out (over {FILE_TIMEOUT} s; the file may be malformed); not summed")
    else:
        msg = _t(lang, "读取此文件时读取进程意外退出（文件可能损坏或异常），未汇总；请用 Excel/WPS 打开检查后另存再报送",
                 "the reading process died on this file (corrupt or malformed?); not summed")
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0
    return FileRecord(path, "unreadable", reason=msg, messages=(msg,), mtime=mtime)


def _new_pool(jobs: int):
    """fork on Linux: the parsed formats and imported readers are shared with the workers for free."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)


def _stop_pool(pool, kill: bool = False) -> None:
    if kill:  # a hung worker: end the pool's own workers (by pid, nothing else)
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except Exception:  # noqa: BLE001 - already gone
                pass
    pool.shutdown(wait=True, cancel_futures=True)


def read_all(paths: list[str], *, jobs: int | None = None, lang: str = "zh") -> Iterator[tuple[int, FileRecord]]:
    """(index, record) for each path, in completion order; parallel when it pays off.

    Every path yields exactly one record. In parallel, a ``ProcessPoolExecutor`` is fed a few
    chunks at a time (only the records of the chunks in flight exist at once, so memory stays
    flat). A worker that dies (a reader crash, the OOM killer) breaks the pool instead of hanging
    the run: the files of the chunks that were in flight are then read again alone, one at a time,
    and the one that kills its worker again (or hangs for ``FILE_TIMEOUT`` s) is marked unreadable
    with the reason; the chunks not yet started go to a fresh pool.
    """
    jobs = jobs or os.cpu_count() or 1
    items = list(enumerate(paths))
    if jobs <= 1 or len(items) < 16:
        for index, path in items:
            yield index, read_one(path, lang)
        return
    load_spec("2021"), load_spec("2019")  # parsed once, inherited by forked workers
    from . import check  # noqa: F401  (imported once, before forking)
    try:
        from .excel import reader  # noqa: F401
    except Exception:  # not built, or no workbook among the inputs: read_input says so per file
        pass
    from collections import deque
    size = max(1, min(32, len(items) // (jobs * 8)))
    queue = deque(items[i:i + size] for i in range(0, len(items), size))
    suspects: list[tuple[int, str]] = []
    while queue:
        yield from _run_chunks(queue, jobs, lang, suspects)
    yield from _isolate(suspects, lang)


def _run_chunks(queue, jobs: int, lang: str, suspects: list) -> Iterator[tuple[int, FileRecord]]:
    """Take chunks from ``queue`` into one pool, at most ``2 * jobs`` in flight, until the queue is
    empty or the pool breaks; the items of the chunks in flight at a break go to ``suspects``."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    in_flight: dict = {}
    pool = _new_pool(jobs)
    kill = False
    try:
        while True:
            while queue and len(in_flight) < 2 * jobs:
                chunk = queue.popleft()
                try:
                    in_flight[pool.submit(_read_chunk, chunk, lang)] = chunk
                except (BrokenProcessPool, RuntimeError):  # broke between two submissions
                    if in_flight:
                        queue.appendleft(chunk)  # for the next pool
                    else:  # a fresh pool that cannot take work: never loop, read these alone
                        suspects.extend(chunk)
                    break
                except OSError:  # no process could be started (fork: EAGAIN, ENOMEM): read here
                    yield from _read_chunk(chunk, lang)
            if not in_flight:
                return
            done, _ = wait(in_flight, timeout=CHUNK_TIMEOUT, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished for minutes: a worker hangs
                kill = True
                for chunk in in_flight.values():
                    suspects.extend(chunk)
                return
            broken = False
            for fut in done:
                chunk = in_flight.pop(fut)
                try:
                    yield from fut.result()
                except BrokenProcessPool:
                    broken = True
                    suspects.extend(chunk)
                except Exception:  # noqa: BLE001 - could not send or return the chunk: try alone
                    suspects.extend(chunk)
            if broken:  # every other chunk in flight is lost with the pool
                for chunk in in_flight.values():
                    suspects.extend(chunk)
                return
    finally:
        _stop_pool(pool, kill)


def _isolate(suspects: list[tuple[int, str]], lang: str) -> Iterator[tuple[int, FileRecord]]:
    """Read each suspect alone in a one-worker pool: a death or a hang now names its file."""
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    pool = None
    try:
        for index, path in sorted(suspects):
            pool = pool or _new_pool(1)
            try:
                yield from pool.submit(_read_chunk, [(index, path)], lang).result(timeout=FILE_TIMEOUT)
                continue
            except BrokenProcessPool:
                yield index, _lost_record(path, lang)
                _stop_pool(pool)
            except FutureTimeout:
                yield index, _lost_record(path, lang, hung=True)
                _stop_pool(pool, kill=True)
            except Exception as exc:  # noqa: BLE001 - never lose a file
                msg = _t(lang, f"读取时出错（{type(exc).__name__}: {exc}）", f"failed to read ({type(exc).__name__}: {exc})")
                yield index, FileRecord(path, "unreadable", reason=msg, messages=(msg,))
                _stop_pool(pool)
            pool = None
    finally:
        if pool is not None:
            _stop_pool(pool)


# ── summing ───────────────────────────────────────────────────────────────────────────────
class _Sum:
    """Running sum of one (format, year) group's input cells: exact ints and Decimals."""

    def __init__(self, format_id: str):
        self.format = format_id
        self.cells = load_spec(format_id).input_cells
        self.total: list = [0] * len(self.cells)
        self.blank = [0] * len(self.cells)
        self.count = 0

    def add(self, values: tuple, sign: int = 1) -> None:
        total, blank = self.total, self.blank
        for i, v in enumerate(values):
            if v is None:
                blank[i] += sign
            else:
                total[i] += v if sign > 0 else -v
        self.count += sign


def norm_unit(name: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def aggregate(inputs: Iterable, *, unit: str | None = None, expected_units: list[str] | None = None,
              previous: str | os.PathLike | None = None, include_invalid: bool = False,
              year: int | None = None, jobs: int | None = None, lang: str = "zh",
              output: str | os.PathLike | None = None,
              progress: Callable[[int, int], None] | None = None,
              _check_previous: bool = True) -> AggregateResult:
    """Read, check and sum every report under ``inputs``; see the module docstring for the policy."""
    records: list[FileRecord] = []
    to_read: list[int] = []
    for path, skipped in expand_inputs(inputs, output=output, lang=lang):
        if skipped is None:
            to_read.append(len(records))
            records.append(FileRecord(path, "pending"))
        else:
            records.append(skipped)
    groups: dict[tuple[str, int | None], _Sum] = {}
    done = 0
    if progress:
        progress(0, len(to_read))
    for i, rec in read_all([records[k].file for k in to_read], jobs=jobs, lang=lang):
        k = to_read[i]
        records[k] = rec
        _decide(rec, include_invalid, year, lang, county=unit)
        if rec.included:
            key = (rec.format, rec.year)
            if key not in groups:
                groups[key] = _Sum(rec.format)
            groups[key].add(rec.values)
        rec.values = None
        done += 1
        if progress:
            progress(done, len(to_read))

    _exclude_higher_levels(records, groups, lang)
    result = AggregateResult(records, None, {}, include_invalid=include_invalid, lang=lang)
    group = _single_group(groups, records, result, lang)
    if group is not None:
        _resolve_duplicates(records, group, result, lang)
    if expected_units is not None:
        _match_expected(records, expected_units, result)
    if group is None or group.count == 0:
        if not result.refused:
            result.refused = _t(lang, "没有可以汇总的报告（全部文件无法读取、有错误或被排除）",
                                "no report could be summed (every file is unreadable, has errors or was excluded)")
        return result

    spec = load_spec(group.format)
    from .check import check
    from .loaded import from_report
    values = {c: v for c, v in zip(group.cells, group.total)}
    result.blank_cells = sum(1 for b in group.blank if b)
    for c, b in zip(group.cells, group.blank):
        if b == group.count:  # blank in every summed report: blank in the sum too
            values[c] = None
    for c, v in list(values.items()):
        if isinstance(v, Decimal):
            values[c] = v.normalize() if v == v.to_integral_value() else v
        elif v is not None and spec.cells[c].type == "amount":
            values[c] = Decimal(v)
    included = [r for r in records if r.included]
    years = {r.year for r in included if r.year is not None}
    county_unit, result.unit_note = choose_unit(unit, [r.unit for r in included], lang)
    levels = {r.level for r in included}
    level = LEVEL_ABOVE.get(levels.pop()) if len(levels) == 1 else None
    report = Report(format=group.format, unit=county_unit, year=years.pop() if len(years) == 1 else None,
                    level=level, values=values,
                    extra={"aggregate": {"files": len(included), "include_invalid": include_invalid}})
    prev_report = None
    if previous is not None and _check_previous:
        prev_report = _previous_report(previous, result, include_invalid, jobs, lang, output)
    checked = check(from_report(report, computed=True), previous=prev_report)  # totals derived from the sums
    result.report = checked.report
    result.totals = dict(checked.report.values)
    result.findings = [f for f in checked.findings if not (f.rule == "R0" and f.code == "blank")]
    return result


def _decide(rec: FileRecord, include_invalid: bool, year: int | None, lang: str, county: str | None = None) -> None:
    if rec.status in ("unreadable", "skipped"):
        rec.included, rec.reason = False, rec.reason or _t(lang, "无法读取", "unreadable")
        return
    if not rec.unit or rec.year is None:
        lack = "机关名称和年度" if not rec.unit and rec.year is None else "机关名称" if not rec.unit else "年度"
        rec.included = False
        rec.reason = _t(lang, f"封面未填写机关名称/年度（缺{lack}），无法确认是哪个单位、哪一年度的报告，未汇总；请补填封面后重新报送",
                        f"the cover has no unit name or no year ({'unit' if not rec.unit else 'year'} missing); "
                        "not summed (it cannot be told apart from another unit's report)")
        return
    if year is not None and rec.year != year:
        rec.included = False
        rec.reason = _t(lang, f"年度为 {rec.year}，不是本次汇总的 {year} 年度", f"data year {rec.year}, not {year}")
        return
    if county and county.strip() and norm_unit(rec.unit) == norm_unit(county):
        rec.included = False
        rec.reason = _t(lang, f"机关名称与汇总单位（--unit {county.strip()}）相同，可能是以前的汇总结果，不作为乡镇报告汇总",
                        f"its unit is the summary's own unit (--unit {county.strip()}): probably an earlier summary, not summed")
        return
    if rec.status == "errors":
        if include_invalid:
            rec.included = True
            rec.reason = _t(lang, f"有 {rec.errors} 个错误，按要求仍计入汇总（--include-invalid）",
                            f"{rec.errors} errors, summed anyway (--include-invalid)")
            if rec.blanks:
                rec.reason += _t(lang, f"；{rec.blanks} 个空白单元格未计入", f"; {rec.blanks} blank cells not counted")
        else:
            rec.included = False
            rec.reason = _t(lang, f"有 {rec.errors} 个错误，未汇总（请更正后重新报送）",
                            f"{rec.errors} errors, not summed (to be corrected and resent)")
        return
    rec.included = True
    rec.reason = _t(lang, "已汇总", "summed") if rec.status == "ok" else \
        _t(lang, f"已汇总（{rec.warnings} 个提示）", f"summed ({rec.warnings} warnings)")


def _exclude_higher_levels(records: list[FileRecord], groups: dict, lang: str) -> None:
    """Reports whose level is above the inputs' (a county report among townships: most likely an
    earlier summary) are taken back out of the sums and listed with the reason. The inputs' level
    is the rank most of the readable reports have (ties: the lower)."""
    ranks: dict[int, int] = {}
    for r in records:
        if r.status not in ("unreadable", "skipped") and r.level in LEVEL_RANK:
            ranks[LEVEL_RANK[r.level]] = ranks.get(LEVEL_RANK[r.level], 0) + 1
    if len(ranks) < 2:
        return
    base = min(ranks, key=lambda k: (-ranks[k], k))
    base_levels = "、".join(dict.fromkeys(LEVEL_ZH[r.level] for r in records if r.status not in ("unreadable", "skipped")
                                          and LEVEL_RANK.get(r.level) == base))
    for r in records:
        if r.status in ("unreadable", "skipped") or LEVEL_RANK.get(r.level, 0) <= base:
            continue
        if r.included:
            again = read_one(r.file, lang)  # values are not kept: read again to take them back out
            group = groups.get((r.format, r.year))
            if group is not None and again.values is not None and (again.format, again.year) == (r.format, r.year):
                group.add(again.values, sign=-1)
                if group.count == 0:
                    groups.pop((r.format, r.year))
        r.included = False
        r.reason = _t(lang, f"报告层级为{LEVEL_ZH[r.level]}，高于其他报告（{base_levels}），可能是以前的汇总结果，不作为下级报告汇总",
                      f"its level ({r.level}) is above the other reports': probably an earlier summary, not summed")


def _single_group(groups: dict, records: list[FileRecord], result: AggregateResult, lang: str) -> _Sum | None:
    """The one (format, year) group to sum; refuse when the summed reports mix formats or years."""
    if not groups:
        return None
    # (a report without a year is never summed: see _decide)
    if len(groups) == 1:
        return next(iter(groups.values()))
    formats = {k[0] for k in groups}
    parts = []
    for (fmt, yr), g in sorted(groups.items(), key=lambda kv: (-kv[1].count, str(kv[0]))):
        files = [Path(r.file).name for r in records if r.included and r.format == fmt and r.year == yr]
        sample = "、".join(files[:3]) + (_t(lang, f" 等 {len(files)} 个", f" and {len(files) - 3} more") if len(files) > 3 else "")
        parts.append(_t(lang, f"{yr or '未填年度'} 年度、{fmt} 格式 {g.count} 份（{sample}）",
                        f"{g.count} of year {yr or '?'} in format {fmt} ({sample})"))
    if len(formats) > 1:
        why = _t(lang, "报告格式不同：2019 版格式与 2021 版格式的表格不同，不能逐格相加",
                 "formats differ: a 2019-format and a 2021-format report cannot be summed cell by cell")
    else:
        why = _t(lang, "报告年度不同，不能合并汇总",
                 "reports of different years cannot be summed together; choose one with --year")
    result.refused = why + _t(lang, "。其中：", ". Found: ") + _t(lang, "；", "; ").join(parts) + _year_hint(groups, lang)
    for r in records:
        if r.included:
            r.included = False
            r.reason = _t(lang, f"未汇总：混有不同年度或格式（本文件 {r.year or '未填'} 年度、{r.format} 格式）",
                          f"not summed: years/formats are mixed (this file: year {r.year}, format {r.format})")
    return None


def _year_hint(groups: dict, lang: str) -> str:
    """When one year clearly dominates (more reports than all the others together, and no other
    format shares it), name the fix: --year that year."""
    ranked = sorted(groups.items(), key=lambda kv: -kv[1].count)
    (fmt, yr), top = ranked[0]
    rest = sum(g.count for _, g in ranked[1:])
    if yr is not None and top.count > rest and not any(k[1] == yr for k, _ in ranked[1:]):
        return _t(lang, f"。大多数文件为 {yr} 年（{top.count} 个），可加 --year {yr} 只汇总该年度，其余文件将列出为未汇总",
                  f". Most files are of {yr} ({top.count}): add --year {yr} to sum only that year; the others are listed as not summed")
    years = sorted({k[1] for k in groups if k[1] is not None})
    if len(years) > 1:
        return _t(lang, f"。可加 --year 指定只汇总其中一个年度（{'、'.join(map(str, years))}）",
                  f". Add --year to sum one of the years ({', '.join(map(str, years))})")
    return ""


def _resolve_duplicates(records: list[FileRecord], group: _Sum, result: AggregateResult, lang: str) -> None:
    by_unit: dict[str, list[FileRecord]] = {}
    for r in records:
        if r.unit and r.status != "unreadable" and r.status != "skipped":
            by_unit.setdefault(norm_unit(r.unit), []).append(r)
    for key, recs in by_unit.items():
        if len(recs) < 2:
            continue
        summed = [r for r in recs if r.included]
        used = max(summed, key=lambda r: (r.mtime, r.file)) if summed else None
        result.duplicates.append({"unit": recs[0].unit, "files": [r.file for r in recs],
                                  "used": used.file if used else None})
        for r in summed:
            if r is used:
                others = "、".join(Path(o.file).name for o in recs if o is not r)
                r.reason += _t(lang, f"（同一单位另有 {others}，采用本文件：修改时间最新）",
                               f" (same unit also in {others}; this newest file is used)")
                continue
            again = read_one(r.file, lang)  # a few re-reads instead of keeping every file's values
            if again.values is not None and (again.format, again.year) == (r.format, r.year):
                group.add(again.values, sign=-1)
            r.included = False
            r.reason = _t(lang, f"与 {Path(used.file).name} 为同一单位（{r.unit}），采用修改时间较新的 {Path(used.file).name}，本文件未汇总",
                          f"same unit ({r.unit}) as {Path(used.file).name}; the newer file is used, this one is not summed")


def read_expected_units(path: str | os.PathLike) -> list[str]:
    """One unit name a line (UTF-8 or GBK, as Windows Notepad saves); blank lines and # comments ignored."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ReportError(f"{p.name}：无法读取单位名单（{exc.strerror}）", f"{p.name}: cannot read the unit list ({exc.strerror})") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise ReportError(f"{p.name}：单位名单不是文本文件", f"{p.name}: the unit list is not a text file")
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and line not in names:
            names.append(line)
    return names


def _match_expected(records: list[FileRecord], expected: list[str], result: AggregateResult) -> None:
    """A unit on the list is present when a readable report names it (exactly, or as the one report
    whose unit or file name contains it: 城关镇 ↔ 示范县城关镇人民政府)."""
    present = [r for r in records if r.status not in ("unreadable", "skipped")]
    names = {norm_unit(r.unit): r for r in present if r.unit}
    matched_records = set()
    missing = []
    for name in expected:
        n = norm_unit(name)
        if n in names:
            matched_records.add(id(names[n]))
            continue
        hits = [r for r in present if n and (n in norm_unit(r.unit) or n in norm_unit(Path(r.file).stem))]
        if hits and len({norm_unit(r.unit) for r in hits}) == 1:
            matched_records.update(id(r) for r in hits)
        else:
            missing.append(name)
    result.missing_units = missing
    result.unexpected_units = sorted({r.unit or Path(r.file).name for r in present if r.included and id(r) not in matched_records})


def choose_unit(given: str | None, units: list[str | None], lang: str) -> tuple[str | None, str]:
    """The summed report's unit: --unit, else the common beginning of the units' names cut after
    the last 县/区/市/旗/州 (示范县城关镇…, 示范县东坝镇… → 示范县), else None."""
    if given and given.strip():
        return given.strip(), ""
    names = [u for u in units if u]
    if not names:
        return None, _t(lang, "未能确定汇总单位名称，请用 --unit 指定", "could not tell the unit name; use --unit")
    prefix = os.path.commonprefix(names)
    m = re.match(r"^(.*[县区市旗州盟])", prefix)
    if len(names) > 1 and m and len(m.group(1)) >= 2:
        name = m.group(1)
        return name, _t(lang, f"汇总单位名称取自各单位名称的共同部分“{name}”（可用 --unit 指定）",
                        f"unit name {name!r} taken from the common part of the units' names (set it with --unit)")
    return None, _t(lang, "未能从各单位名称推断汇总单位名称，请用 --unit 指定",
                    "could not derive the unit name from the units' names; use --unit")


def _previous_report(previous, result: AggregateResult, include_invalid, jobs, lang, output) -> Report | None:
    p = Path(previous)
    result.previous_source = str(p)
    try:
        if p.is_dir():
            prev = aggregate([p], include_invalid=include_invalid, jobs=jobs, lang=lang, output=output,
                             _check_previous=False)
            if prev.report is None:
                raise ReportError(prev.refused)
            result.previous_source = _t(lang, f"{p}（上年度 {len(prev.included)} 份报告之和）",
                                        f"{p} (sum of last year's {len(prev.included)} reports)")
            return prev.report
        from .check import load
        return load(p).report
    except ReportError as exc:
        result.previous_error = _t(lang, f"上年度数据无法使用：{exc.message(lang)}", f"last year's data unusable: {exc.message(lang)}")
        return None


# ── the 汇总情况 sheet ─────────────────────────────────────────────────────────────────────
STATUS_ZH = {"ok": "通过", "warnings": "有提示", "errors": "有错误", "unreadable": "无法读取", "skipped": "已跳过"}
SUMMARY_SHEET = "汇总情况"


def summary_rows(result: AggregateResult, lang: str | None = None) -> list[list]:
    """The 汇总情况 sheet as rows of plain values: a heading block, one row per input file, then
    missing units, duplicates, units not on the list and the check of the summed report."""
    lang = lang or result.lang
    rep = result.report
    rows: list[list] = []
    n_inc = len(result.included)
    n_read = sum(f.status not in ("skipped", "unreadable") for f in result.files)
    n_bad = sum(f.status == "unreadable" for f in result.files)
    n_skip = sum(f.status == "skipped" for f in result.files)
    rows.append([_t(lang, "汇总情况", "Aggregation summary")])
    if rep is not None:
        rows.append([_t(lang, "汇总单位", "unit"), rep.unit or _t(lang, "（未指定，请用 --unit）", "(not set; use --unit)"),
                     _t(lang, "年度", "year"), rep.year, _t(lang, "格式", "format"), rep.format])
    rows.append([_t(lang, f"共 {len(result.files)} 个文件，读取 {n_read} 个，汇总 {n_inc} 个，无法读取 {n_bad} 个，跳过 {n_skip} 个",
                     f"{len(result.files)} files, {n_read} read, {n_inc} summed, {n_bad} unreadable, {n_skip} skipped")])
    if result.refused:
        rows.append([_t(lang, "未能汇总：", "not summed: ") + result.refused])
    if result.include_invalid:
        rows.append([_t(lang, "注意：本汇总按要求包含了有错误的报告（--include-invalid），合计数可能不准确",
                        "Note: reports with errors were summed as asked (--include-invalid); totals may be wrong")])
    if result.blank_cells:
        rows.append([_t(lang, f"注意：{result.blank_cells} 个单元格在部分报告中空白，未计入合计",
                        f"Note: {result.blank_cells} cells were blank in some summed reports and count as nothing")])
    if result.unit_note:
        rows.append([result.unit_note])
    rows.append([])
    rows.append([_t(lang, "序号", "#"), _t(lang, "文件", "file"), _t(lang, "单位", "unit"), _t(lang, "年度", "year"),
                 _t(lang, "格式", "format"), _t(lang, "状态", "status"), _t(lang, "错误数", "errors"),
                 _t(lang, "提示数", "warnings"), _t(lang, "是否汇总", "summed"), _t(lang, "原因/说明", "reason"),
                 _t(lang, "主要问题", "main problems")])
    for i, f in enumerate(result.files, 1):
        status = STATUS_ZH.get(f.status, f.status) if lang != "en" else f.status
        rows.append([i, f.file, f.unit or "", f.year if f.year is not None else "", f.format or "", status,
                     f.errors, f.warnings, _t(lang, "是", "yes") if f.included else _t(lang, "否", "no"),
                     f.reason, "；".join(m for m in f.messages if m != f.reason)])
    if result.missing_units:
        rows.append([])
        rows.append([_t(lang, f"未报送单位（{len(result.missing_units)} 个）", f"missing units ({len(result.missing_units)})")])
        rows.extend([[i, u] for i, u in enumerate(result.missing_units, 1)])
    if result.duplicates:
        rows.append([])
        rows.append([_t(lang, "重复报送（同一单位多个文件）", "duplicates (one unit, several files)")])
        for d in result.duplicates:
            rows.append(["", d["unit"], _t(lang, "采用：", "used: ") + (d["used"] or _t(lang, "（均未汇总）", "(none)")),
                         "、".join(d["files"])])
    if result.unexpected_units:
        rows.append([])
        rows.append([_t(lang, "不在单位名单上但已汇总", "summed but not on the unit list")])
        rows.extend([["", u] for u in result.unexpected_units])
    checked = [f for f in result.findings if f.status != "indeterminate"]
    if rep is not None:
        rows.append([])
        if result.previous_source or result.previous_error:
            rows.append([_t(lang, "上年度数据：", "last year: ") + (result.previous_error or result.previous_source)])
        if checked:
            rows.append([_t(lang, "汇总数核对", "checks of the summed report")])
            rows.extend([["", f.severity if lang == "en" else {"error": "错误", "warning": "提示"}.get(f.severity, f.severity),
                          f.instance, f.message] for f in checked])
        else:
            rows.append([_t(lang, "汇总数的勾稽关系全部正确", "every relation holds in the summed report")])
    # one-cell lines (notes, section headings) go in column B, next to the wide file column, so
    # column A stays narrow (序号); every row padded to the same width
    rows[1:] = [["", *r] if len(r) == 1 else r for r in rows[1:]]
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


# ── writing ───────────────────────────────────────────────────────────────────────────────
def write_output(result: AggregateResult, path: str | os.PathLike, lang: str | None = None) -> None:
    """Write the summed report: ``.json`` → report JSON (with the summary under ``aggregate``);
    anything else → the official template filled with the sums plus the 汇总情况 sheet.
    Always through a temporary file and a rename."""
    if result.report is None:
        raise AggregateError(result.refused or "没有可以汇总的报告", "nothing to write")
    path = Path(path)
    lang = lang or result.lang
    if path.suffix.lower() == ".json":
        rep = result.report
        summary = result.to_dict()
        summary.pop("totals", None)
        extra = dict(rep.extra)
        extra["aggregate"] = summary
        Report(rep.format, rep.unit, rep.year, rep.level, rep.values, rep.narrative, extra).save(path)
        return
    _write_workbook(result, path, lang)


def _write_workbook(result: AggregateResult, path: Path, lang: str) -> None:
    """The official template filled with the sums (the writer puts totals as formulas with cached
    values) plus the 汇总情况 sheet; the writer writes atomically (temporary file + rename)."""
    from .excel.template import write_workbook
    rep = result.report
    write_workbook(path, rep.format, rep, unit=rep.unit, year=rep.year, level=rep.level,
                   review_rows=summary_rows(result, lang), review_title=SUMMARY_SHEET)
