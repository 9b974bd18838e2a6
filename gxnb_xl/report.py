"""One report of one unit for one data year, and its JSON interchange form (REPORT-JSON.md)."""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from .errors import ReportError  # noqa: F401  (re-exported: the historical home)
from .record import field, record
from .spec import FORMAT_IDS, Spec, format_for_year, load_spec
from .values import ValueProblem, format_number, read_value

_KNOWN_KEYS = ("format", "unit", "year", "level", "values", "narrative")


@record
class CellProblem:
    """A problem with one cell's content, found while reading (becomes an R0 finding)."""

    cell: str
    raw: object
    problem: ValueProblem
    address: str | None = None  # sheet!A1 when read from a workbook


@record
class Report:
    """One unit's annual report: the format, cover fields, values and narrative."""

    format: str
    unit: str | None = None
    year: int | None = None
    level: str | None = None
    values: dict[str, int | Decimal | None] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # keys other tools put here; preserved on save
    problems: list[CellProblem] = field(default_factory=list)  # found while reading

    @property
    def spec(self) -> Spec:
        return load_spec(self.format)

    def get(self, cell: str):
        return self.values.get(cell)

    def to_json_dict(self) -> dict:
        spec = self.spec
        values = {}
        for cid in spec.cells:
            v = self.values.get(cid)
            if v is None:
                continue
            values[cid] = format_number(v) if spec.cells[cid].type == "amount" else int(v) if v == int(v) else format_number(v)
        out = {"format": self.format, "unit": self.unit, "year": self.year}
        if self.level:
            out["level"] = self.level
        out["values"] = values
        out["narrative"] = {k: v for k, v in self.narrative.items() if v is not None}
        for k, v in self.extra.items():
            out.setdefault(k, v)
        return out

    def dumps(self) -> str:
        from .jsontext import (
            dumps,  # json.dumps(…, ensure_ascii=False, indent=2), the same text faster
        )
        return dumps(self.to_json_dict()) + "\n"

    def save(self, path: str | os.PathLike) -> None:
        write_text_atomic(path, self.dumps())


def blank_report(format_id: str = "2021", **meta) -> Report:
    load_spec(format_id)  # unknown ids fail here
    return Report(format=format_id, **meta)


def report_from_dict(data: dict, *, source: str = "") -> Report:
    """Build a report from its JSON form; content problems become ``report.problems``."""
    if not isinstance(data, dict):
        raise ReportError(f"{source}：不是报告 JSON（顶层应为对象）", f"{source}: not a report JSON (top level must be an object)")
    year = data.get("year")
    if isinstance(year, BadNumber) or (isinstance(year, int) and not 1900 <= year <= 2200):
        raise ReportError(f"{source}：年度“{str(year)[:20]}”不是有效年份", f"{source}: year {str(year)[:20]!r} is not a valid year")
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
        try:
            year = int(str(year).strip().rstrip("年"))
        except ValueError:
            raise ReportError(f"{source}：年度“{year}”不是整数", f"{source}: year {year!r} is not an integer") from None
    fmt = data.get("format")
    fmt = str(fmt) if fmt is not None else format_for_year(year)
    if fmt not in FORMAT_IDS:
        raise ReportError(f"{source}：未知的报告格式“{fmt}”（支持 {'、'.join(FORMAT_IDS)}）",
                          f"{source}: unknown format {fmt!r} (known: {', '.join(FORMAT_IDS)})")
    spec = load_spec(fmt)
    raw_values = data.get("values", {})
    if not isinstance(raw_values, dict):
        raise ReportError(f"{source}：values 应为对象（单元格编号 → 数字）", f"{source}: values must be an object (cell id → number)")
    narrative = data.get("narrative") or {}
    if not isinstance(narrative, dict):
        raise ReportError(f"{source}：narrative 应为对象", f"{source}: narrative must be an object")
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise ReportError(f"{source}：unit（机关名称）应为文本，实际是 {type(unit).__name__}",
                          f"{source}: unit must be text, not {type(unit).__name__}")
    if isinstance(data.get("level"), (dict, list)):
        raise ReportError(f"{source}：level（层级）应为文本", f"{source}: level must be text")
    report = Report(format=fmt, unit=unit, year=year, level=data.get("level"),
                    narrative={k: ("" if v is None else str(v)) for k, v in narrative.items()},
                    extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS})
    unknown = [k for k in raw_values if k not in spec.cells]
    if unknown:
        # keep them: a tool that rewrites the file must not lose what it does not understand
        report.extra.setdefault("unknown_values", {k: raw_values[k] for k in unknown})
    for cid, cell in spec.cells.items():
        raw = raw_values.get(cid)
        if isinstance(raw, BadNumber):
            shown = raw if len(raw) <= 24 else f"{raw[:12]}…（共 {len(raw)} 个字符）"
            report.values[cid] = None
            report.problems.append(CellProblem(cid, str(raw), ValueProblem(
                "not_number", "error", (("shown", shown),), "out_of_range")))
            continue
        value, problem = read_value(raw, cell.type)
        if problem is not None and problem.code == "text_number" and cell.type == "amount":
            problem = None  # REPORT-JSON writes amounts as decimal strings
        report.values[cid] = value
        if problem is not None:
            report.problems.append(CellProblem(cid, raw, problem))
    return report


MAX_JSON_BYTES = 20 * 1024 * 1024  # a report JSON is a few KB
MAX_JSON_DEPTH = 64  # a report nests 3 deep
MAX_DIGITS = 30  # no count or amount has more significant digits
MAX_EXPONENT = 30  # |adjusted exponent| beyond this is no count or amount


class BadNumber(str):
    """A JSON number that is no count or amount (too many digits, a huge exponent, Infinity, NaN):
    kept as its text so the cell can be named, never turned into a number."""


def _json_float(text: str):
    if len(text) > MAX_DIGITS + 12:
        return BadNumber(text)
    d = Decimal(text)
    if not d.is_finite() or abs(d.adjusted()) > MAX_EXPONENT or len(d.as_tuple().digits) > MAX_DIGITS:
        return BadNumber(text)
    return d


def _json_int(text: str):
    return BadNumber(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _json_object(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise _DuplicateKey(k)
        seen[k] = v
    return seen


class _DuplicateKey(Exception):
    pass


def _depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (linear; no recursion)."""
    import re
    brackets = re.sub(r'[^\[\]{}]', "", re.sub(r'"(?:[^"\\]|\\.)*"', "", text))
    depth = deepest = 0
    for ch in brackets:
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def load_report(path: str | os.PathLike) -> Report:
    """Read a report JSON file. Raises ReportError with a Chinese message when it is unusable.

    Bounded: at most ``MAX_JSON_BYTES`` of a regular file are read, nesting deeper than
    ``MAX_JSON_DEPTH`` is refused, a key twice in one object is refused (Python's json would keep
    the last silently: a second "unit" would give the report to another township), and numbers
    beyond any count or amount are kept as ``BadNumber`` so the cell holding one is named."""
    import stat as _stat
    p = Path(path)
    name = p.name
    try:
        st = os.stat(p)
        if _stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        if not _stat.S_ISREG(st.st_mode):
            raise ReportError(f"{name}：不是普通文件（命名管道、设备等），未读取",
                              f"{name}: not a regular file (a pipe, a device …); not read")
        if st.st_size > MAX_JSON_BYTES:
            raise ReportError(f"{name}：文件过大（{st.st_size // 1024 // 1024} MB），不像是报告 JSON，未读取",
                              f"{name}: too large ({st.st_size // 1024 // 1024} MB) for a report JSON; not read")
        with open(p, "rb") as f:
            raw = f.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise ReportError(f"{name}：文件过大，不像是报告 JSON，未读取", f"{name}: too large for a report JSON; not read")
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise ReportError(f"{name}：文件不存在", f"{name}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{name}：是文件夹，不是报告文件", f"{name}: is a folder, not a report file") from None
    except UnicodeDecodeError:
        raise ReportError(f"{name}：不是 UTF-8 文本，无法作为报告 JSON 读取", f"{name}: not UTF-8 text, cannot be read as report JSON") from None
    except OSError as exc:
        raise ReportError(f"{name}：无法读取（{exc.strerror}）", f"{name}: cannot be read ({exc.strerror})") from None
    if not text.strip():
        raise ReportError(f"{name}：文件为空", f"{name}: the file is empty")
    if _depth(text) > MAX_JSON_DEPTH:
        raise ReportError(f"{name}：JSON 嵌套超过 {MAX_JSON_DEPTH} 层，不是报告 JSON",
                          f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels; not a report")
    try:
        data = json.loads(text, parse_float=_json_float, parse_int=_json_int, parse_constant=BadNumber,
                          object_pairs_hook=_json_object)
    except _DuplicateKey as exc:
        key = str(exc.args[0])[:60]
        raise ReportError(f"{name}：JSON 中同一对象内键“{key}”出现了两次，无法确定取哪一个，已拒绝读取（请删除重复的一项）",
                          f"{name}: the key {key!r} appears twice in one JSON object; refused (remove one)") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{name}：JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）",
                          f"{name}: invalid JSON (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):
        raise ReportError(f"{name}：JSON 无法解析（数字或嵌套超出范围）", f"{name}: JSON cannot be parsed (numbers or nesting out of range)") from None
    return report_from_dict(data, source=name)


from .outputs import write_bytes_atomic, write_text_atomic  # noqa: E402,F401  (re-exported)


def __getattr__(name: str):  # LEVELS: the level codes, read from formats/levels.toml when first asked for
    if name == "LEVELS":
        from .levels import codes
        return codes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
