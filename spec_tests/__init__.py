"""The official WebAssembly spec test suite, run against pywasi_interp.

``python -m spec_tests`` runs it from the command line; ``test_spec.py``
runs it under pytest, one case per .wast file and engine tier.  See
``harness`` for the rules.
"""
