"""Shared test setup: tests/ is on sys.path so tests can `from lo import soffice, convert`."""

