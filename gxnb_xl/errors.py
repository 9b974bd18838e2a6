"""The one exception tree. Problems in a report's *data* are findings, never exceptions; these are
for what stops a command: an input that cannot be used at all, an output that may not be written,
a document refused. Every error carries its message in Chinese and English; the edge picks one.

    GxnbError                  root: ``.message(lang)``, ``str()`` is the Chinese text
    ├── ReportError            an input cannot be used as a report (not a workbook, corrupt, unknown format)
    │   ├── NotTemplate        a workbook that is not (or no longer) our template: the label reader may try it
    │   ├── TemplateProblem    a custom Word template cannot be used          (word.render)
    │   └── TitleMissing       the cover has no unit/year: no title           (word.render)
    ├── OutputError            an output may not or cannot be written (exists without --force, is an input)
    └── Refused                a command declines on purpose (a report with errors without --force)
"""
from __future__ import annotations


class GxnbError(Exception):
    """Root of gxnb's errors: a Chinese and an English message."""

    def __init__(self, zh: str, en: str | None = None):
        super().__init__(zh)
        self.zh, self.en = zh, en or zh

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class ReportError(GxnbError):
    """A file cannot be used as a report at all (not JSON, wrong shape, unknown format, unreadable)."""


class NotTemplate(ReportError):
    """A workbook the template reader cannot place (no marker, no template tables): not corrupt, just
    not ours — the importer's label reader may still find the official tables in it."""


class OutputError(GxnbError):
    """An output may not be written (it exists and --force was not given, it is an input) or cannot be."""


class Refused(GxnbError):
    """The command declines on purpose; the user can change the input or add a flag."""
