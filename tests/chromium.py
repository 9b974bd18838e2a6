"""Headless Chromium for tests (Debian's package, driven by Playwright for Python).

``sync_playwright()`` returns Playwright's entry point, or skips the test when Playwright or Chromium is
absent — unless ``GXNB_REQUIRE_CHROMIUM=1`` (CI), where their absence fails the test instead. Launch
with ``p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)``: this machine's network is closed, so
the background-networking flags keep Chromium from trying it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GXNB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def sync_playwright():
    required = os.environ.get("GXNB_REQUIRE_CHROMIUM") == "1"
    try:
        from playwright.sync_api import sync_playwright as entry
    except ImportError:
        if required:
            pytest.fail("Playwright for Python is required (GXNB_REQUIRE_CHROMIUM=1) but not installed")
        pytest.skip("Playwright for Python not installed")
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(f"Chromium is required (GXNB_REQUIRE_CHROMIUM=1) but {CHROMIUM} is missing")
        pytest.skip("Chromium not installed")
    return entry
