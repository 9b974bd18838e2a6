"""Synthetic data for tests, benchmarks and the demo — not part of the product.

``synth.random_report`` makes a report whose every relation holds; ``published.published_text``
prints a report the way published reports look on the web and in PDF extractions. Nothing in the
product imports this package.
"""
