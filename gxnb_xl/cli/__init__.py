"""``gxnb`` — a thin command line over the library.

Commands load lazily (``gxnb --help`` must start fast): each lives in its own module of this
package and exposes ``command``.
"""
from __future__ import annotations

import importlib
import importlib.util

import click

# name → (module, one-line help shown by `gxnb --help` without importing the module)
COMMANDS = {
    "spec": ("spec", "列出报告格式的单元格与勾稽关系 / list a format's cells and relations"),
    "check": ("check", "校验报告（工作簿或 JSON）/ check reports (workbooks or JSON)"),
    "template": ("template", "生成 Excel 填报模板 / build the Excel template"),
    "export": ("export", "把工作簿导出为报告 JSON / export a workbook as report JSON"),
    "aggregate": ("aggregate", "汇总多个乡镇报告 / sum township reports into a county report"),
    "render": ("render", "生成 Word 年度报告 / render the Word report"),
    "import": ("importer", "从已发布的报告导入数据 / import published reports"),
    "serve": ("serve", "启动网页审核台 / start the browser workbench"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return [name for name, (mod, _) in COMMANDS.items() if _exists(mod)]

    def get_command(self, ctx, name):
        if name not in COMMANDS or not _exists(COMMANDS[name][0]):
            return None
        module = importlib.import_module(f"gxnb_xl.cli.{COMMANDS[name][0]}")
        return module.command

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("命令 / Commands"):
                formatter.write_dl(rows)


def _exists(module: str) -> bool:
    return importlib.util.find_spec(f"gxnb_xl.cli.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gxnb-xl")
def main():
    """gxnb — 政府信息公开工作年度报告工具（模板、校验、汇总、生成 Word、导入）。"""

