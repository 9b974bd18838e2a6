"""A small stand-in for an xlwings Book that records what the buttons would write.

Only what ``gxnb_xl.excel_buttons`` uses: ``book.fullname``, ``book.sheets[name]`` /
``[index]`` / ``len()`` / ``.add(name, after=)``, ``sheet.range(a1).value`` (get and set, a
2-D list written from its top-left cell like xlwings does), ``.color`` (RGB tuple or None),
``sheet.clear_contents()`` and ``book.app.alert(...)``. A sheet marked ``locked`` raises on
``.color =`` like a password-protected sheet in Excel.
"""
from __future__ import annotations

from pathlib import Path

from gxnb_xl.excel.layout import parse_a1 as _rc


class FakeRange:
    def __init__(self, sheet: "FakeSheet", address: str):
        self.sheet = sheet
        first, _, last = address.replace("$", "").partition(":")
        self.top = _rc(first)
        self.bottom = _rc(last) if last else self.top

    @property
    def value(self):
        (r1, c1), (r2, c2) = self.top, self.bottom
        grid = [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if (r1, c1) == (r2, c2):
            return grid[0][0]
        if r1 == r2:
            return grid[0]
        if c1 == c2:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, data):
        r0, c0 = self.top
        rows = data if isinstance(data, (list, tuple)) and data and isinstance(data[0], (list, tuple)) else [data]
        for i, row in enumerate(rows):
            row = row if isinstance(row, (list, tuple)) else [row]
            for j, v in enumerate(row):
                if v is None or v == "":
                    self.sheet.cells.pop((r0 + i, c0 + j), None)
                else:
                    self.sheet.cells[(r0 + i, c0 + j)] = v
        self.sheet.writes.append((self.top, data))

    @property
    def color(self):
        return self.sheet.colors.get(self.top)

    @color.setter
    def color(self, rgb):
        if self.sheet.locked:
            raise RuntimeError("The cell or chart you're trying to change is on a protected sheet.")
        if rgb is None:
            self.sheet.colors.pop(self.top, None)
        else:
            self.sheet.colors[self.top] = tuple(rgb)


class FakeSheet:
    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], object] = {}
        self.colors: dict[tuple[int, int], tuple] = {}
        self.writes: list = []
        self.locked = False

    def range(self, address: str) -> FakeRange:
        return FakeRange(self, address)

    def clear_contents(self):
        self.cells.clear()

    def rows(self) -> list[list]:
        """The used area as a list of rows (None for empty cells)."""
        if not self.cells:
            return []
        nr = max(r for r, _ in self.cells) + 1
        nc = max(c for _, c in self.cells) + 1
        return [[self.cells.get((r, c)) for c in range(nc)] for r in range(nr)]


class FakeSheets:
    def __init__(self, names):
        self._sheets = [FakeSheet(n) for n in names]

    def __len__(self):
        return len(self._sheets)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name=None, before=None, after=None):
        sheet = FakeSheet(name)
        at = self._sheets.index(after) + 1 if after is not None else 0
        self._sheets.insert(at, sheet)
        return sheet

    @property
    def names(self):
        return [s.name for s in self._sheets]


class FakeApp:
    def __init__(self, answer="yes"):
        self.alerts: list[dict] = []
        self.answer = answer

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.answer if buttons != "ok" else "ok"


class FakeBook:
    def __init__(self, path, sheet_names=None, answer="yes"):
        self.fullname = str(path)
        if sheet_names is None:
            from python_calamine import CalamineWorkbook
            sheet_names = CalamineWorkbook.from_path(str(path)).sheet_names
        self.sheets = FakeSheets(sheet_names)
        self.app = FakeApp(answer)
        self.name = Path(path).name
