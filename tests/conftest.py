"""Shared by every test under tests/."""

from pywasi_interp import Store


def pytest_configure(config):
    # A Store raises Python's recursion limit to fit its call-depth budget.
    # Hypothesis fails a property test during which the limit changed, so a
    # property test run alone (the first to make a Store) would fail: make
    # one before any test runs.
    Store()
