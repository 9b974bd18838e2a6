"""The Jinja sandbox every Word template renders in, with limits a hostile template cannot pass.

``SandboxedEnvironment`` already refuses unsafe attributes; on top of it a render has a budget:
loop items drawn from ``range`` (each ``range`` at most ``MAX_RANGE`` long, all of them together
at most ``MAX_STEPS``), the size of ``*`` and ``**`` results, the output size, the recursion
depth (macros calling themselves) and the wall time. ``include``/``import``/``extends`` have
nothing to load (a template is one file) and are refused when the template is linted. Going
over a limit raises ``LimitExceeded``; ``render.py`` says which template and why, in Chinese.
"""
from __future__ import annotations

import contextvars
import time

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

MAX_RANGE = 10_000  # one range(): more than any report needs (a table has < 100 rows)
MAX_STEPS = 200_000  # range items in one render, over all loops (nested loops multiply)
MAX_OUTPUT = 8_000_000  # characters of XML one part may render to (a report is ~200 k)
MAX_SECONDS = 10.0
MAX_POWER = 64  # ``a ** b``: |b| at most this
MAX_SEQUENCE = 1_000_000  # ``"x" * n`` / ``[..] * n``: at most this many items

FORBIDDEN_NODES = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import",
                   nodes.Extends: "extends"}


class LimitExceeded(Exception):
    """A template went over one of the sandbox's limits. ``what``: range|steps|output|time|power|
    sequence|recursion; ``zh``/``en``: the reason in words."""

    def __init__(self, what: str, zh: str, en: str):
        super().__init__(en)
        self.what, self.zh, self.en = what, zh, en


class Budget:
    """What one render may still spend."""

    def __init__(self, seconds: float = MAX_SECONDS, steps: int = MAX_STEPS):
        self.deadline = time.monotonic() + seconds
        self.steps = steps

    def spend(self, n: int = 1) -> None:
        self.steps -= n
        if self.steps < 0:
            raise LimitExceeded("steps", f"循环次数超过 {MAX_STEPS} 次（例如嵌套的 range 循环）",
                                f"more than {MAX_STEPS} loop steps (nested range loops?)")
        if self.steps % 1024 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded("time", f"渲染超过 {MAX_SECONDS:g} 秒", f"rendering took more than {MAX_SECONDS:g} s")


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("gxnb_template_budget", default=None)


def current_budget() -> Budget:
    b = _BUDGET.get()
    if b is None:  # rendering outside ``render_limited``: still bounded
        b = Budget()
        _BUDGET.set(b)
    return b


def _counted(it, budget: Budget):
    for x in it:
        budget.spend()
        yield x


def limited_range(*args):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise LimitExceeded("range", f"range() 长度 {len(r)} 超过上限 {MAX_RANGE}",
                            f"range() of {len(r)} items is over the limit of {MAX_RANGE}")
    return _counted(r, current_budget())


class LimitedSandbox(SandboxedEnvironment):
    """Sandboxed, autoescaping, bounded; compiled templates cached by source."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **kw):
        super().__init__(**kw)
        self.globals["range"] = limited_range
        self._cache: dict = {}

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise LimitExceeded("power", f"乘方的指数 {right} 超过上限 {MAX_POWER}",
                                f"the exponent {right} is over the limit of {MAX_POWER}")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                    raise LimitExceeded("sequence", f"重复生成的内容超过 {MAX_SEQUENCE} 项",
                                        f"a repeated sequence of more than {MAX_SEQUENCE} items")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja's signature
        current_budget().spend()  # every call counts: a macro calling itself twice cannot run away
        return super().call(__context, __obj, *args, **kwargs)

    def compiled(self, source: str):
        tpl = self._cache.get(source)
        if tpl is None:
            tpl = self.from_string(source)
            if len(self._cache) >= 32:
                self._cache.pop(next(iter(self._cache)))
            self._cache[source] = tpl
        return tpl


def forbidden(ast) -> list[str]:
    """The tags in a parsed template that the sandbox does not offer (include, import, extends)."""
    found = []
    for node_type, name in FORBIDDEN_NODES.items():
        if any(True for _ in ast.find_all(node_type)):
            found.append(name)
    return found


def render_limited(template, context: dict, budget: Budget) -> str:
    """Render within ``budget`` and ``MAX_OUTPUT``; recursion beyond Python's limit is a limit too."""
    token = _BUDGET.set(budget)
    try:
        out, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise LimitExceeded("output", f"输出超过 {MAX_OUTPUT // 1_000_000} 百万字符",
                                    f"output of more than {MAX_OUTPUT // 1_000_000} million characters")
            out.append(chunk)
            budget.check_time()
        return "".join(out)
    except RecursionError:
        raise LimitExceeded("recursion", "宏或循环递归过深", "macros or loops recurse too deeply") from None
    finally:
        _BUDGET.reset(token)
