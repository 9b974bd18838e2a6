"""The package's version, in one place: pyproject.toml reads it (``[tool.setuptools.dynamic]``), and
asking ``importlib.metadata`` at run time would cost ~12 ms at every start of a writer."""
__version__ = "0.1.0"
