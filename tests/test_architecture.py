"""The shape of the package, stated once: no import cycles among gxnb_xl modules, no library
function that takes a ``lang`` parameter outside the edges that write human text, and a docstring
on every record."""
from __future__ import annotations

import ast
import itertools
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "gxnb_xl"

# where words are chosen: the CLI, the web workbench, the buttons, writers of workbooks and sheets for
# people, and the catalogue itself
EDGES = ("cli/", "serve/", "messages/", "excel_buttons.py", "annotate.py", "aggregate/summary.py",
         "aggregate/words.py")
# methods that render a record in a language (a finding's text, an error's message, a JSON form)
RENDERERS = {"message", "text", "to_dict", "reason_text", "error_text", "name", "label", "say", "t",
             "finding_text", "reason", "messages"}


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    graph = {}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    deps.add(full if full in mods else target)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[mod] = {d for d in deps if d in mods and d != mod and not d.startswith(mod + ".")}
    return graph


def _cycles(graph) -> list[list[str]]:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], itertools.count()

    def strong(v):
        index[v] = low[v] = next(counter)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_no_import_cycles():
    """Imports inside functions count too: a cycle hidden in a function is still a cycle."""
    assert _cycles(_graph(_modules())) == []


def test_no_lang_parameter_in_the_library():
    offenders = []
    for mod, path in _modules().items():
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith(EDGES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in RENDERERS:
                if any(a.arg == "lang" for a in node.args.args + node.args.kwonlyargs):
                    offenders.append(f"{rel}:{node.lineno} {node.name}")
    assert offenders == []


def test_public_face():
    import gxnb_xl
    assert gxnb_xl.__version__ and callable(gxnb_xl.check) and callable(gxnb_xl.load)
    for name in gxnb_xl.__all__:
        assert getattr(gxnb_xl, name) is not None, name
    assert issubclass(gxnb_xl.ReportError, gxnb_xl.GxnbError) and issubclass(gxnb_xl.OutputError, gxnb_xl.GxnbError)


def test_every_record_says_what_it_holds():
    """A docstring on each record class (``gxnb_xl.record``): it is what a reader needs."""
    bare = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ClassDef) and not ast.get_docstring(node)
                    and any(ast.unparse(d).split("(")[0] == "record" for d in node.decorator_list)):
                bare.append(f"{name}.{node.name}")
            if isinstance(node, (ast.Import, ast.ImportFrom)) and "dataclasses" in ast.unparse(node):
                bare.append(f"{name} imports dataclasses: records are gxnb_xl.record's (one door)")
    assert not bare, bare
