"""The store: owner of runtime limits and per-run bookkeeping.

The spec's store holds all instances; here instances hold their own
objects and the Store carries what every call needs: the call depth
counter and the optional fuel and wall-clock budgets.
"""

import sys
import time

from ..errors import ExhaustionError

__all__ = ["Store", "Engine"]

# A guest call costs two Python frames.  CPython 3.11+ runs Python-to-Python
# calls without using the C stack; PyPy and older CPythons spend C stack on
# each one and crash (not raise) past roughly 20,000 frames on an 8 MiB
# stack.  There, deep budgets run on a thread with a stack sized to fit.
C_STACK_PER_CALL = not (sys.version_info >= (3, 11)
                        and sys.implementation.name == "cpython")
SAFE_DEPTH_ON_MAIN_STACK = 3000
DEFAULT_CALL_DEPTH = 10000
ENGINES = ("auto", "interp", "translate", "flat", "ppci")
_TICK = 4096     # instructions between wall-clock checks


class Engine:
    """wasmtime's Engine, for code written against wasmtime-py:
    ``Store(Engine())``, ``Module(engine, data)``.  ``name`` is the
    execution engine the stores made from it use."""

    def __init__(self, name="auto"):
        if name not in ENGINES:
            raise ValueError("unknown engine %r (choose from %s)" % (name, ", ".join(ENGINES)))
        self.name = name


class Store:
    """Runtime limits shared by everything instantiated in this store.

    Args:
        max_call_depth: guest call depth before "call stack exhausted".
        fuel: instruction budget, or None for unlimited.
        timeout: wall-clock seconds allowed per top-level call, or None.
        max_memory: cap in bytes on each memory's size, or None.
        engine: "auto", "interp", "translate", "flat" or "ppci" (see
            engine/tiers.py).
        cache_dir: a directory for cached tier-1 translations, or None.
    """

    def __init__(self, engine="auto", *, max_call_depth=None, fuel=None, timeout=None,
                 max_memory=None, cache_dir=None):
        if isinstance(engine, Engine):          # wasmtime's Store(engine)
            engine = engine.name
        if max_call_depth is None:
            max_call_depth = DEFAULT_CALL_DEPTH
        for name, value in (("max_call_depth", max_call_depth), ("fuel", fuel),
                            ("max_memory", max_memory)):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError("%s must be a non-negative integer" % name)
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds")
        if engine not in ENGINES:
            raise ValueError("unknown engine %r (choose from %s)" % (engine, ", ".join(ENGINES)))
        if engine == "ppci":
            from ..engine.ppci_engine import ppci_unavailable_reason
            reason = ppci_unavailable_reason()
            if reason is not None:
                raise ValueError("engine 'ppci': %s" % reason)
        self.engine = engine
        self.translation_cache = None
        if cache_dir is not None:
            from ..engine.cache import TranslationCache
            self.translation_cache = TranslationCache(cache_dir)
        self.max_call_depth = max_call_depth
        self.max_memory = max_memory
        self.timeout = timeout
        self.fuel = fuel
        self.fuel_consumed = 0
        self.metered = fuel is not None or timeout is not None
        self.depth = 0
        self.ticks = 0
        self._granted = 0
        self.deadline = None
        self.stack_bytes = None     # run top-level calls on a thread with this stack
        if C_STACK_PER_CALL and max_call_depth > SAFE_DEPTH_ON_MAIN_STACK:
            self.stack_bytes = min(max(64 << 20, max_call_depth * (4 << 10)), 2 << 30)
        self._ensure_recursion_limit()

    def _ensure_recursion_limit(self):
        needed = 3 * self.max_call_depth + 1000
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)

    # --- metering: called by the engine every few thousand instructions -----
    def start_call(self):
        """Arm the budgets for a top-level call."""
        self.depth = 0
        if self.timeout is not None:
            self.deadline = time.monotonic() + self.timeout
        self._refill()

    def _refill(self):
        chunk = _TICK
        if self.fuel is not None:
            chunk = min(chunk, self.fuel - self.fuel_consumed)
        self.ticks = chunk
        self._granted = chunk

    def checkpoint(self):
        """The tick budget ran out (``ticks`` < 0): account what was used,
        check fuel and the deadline, grant the next chunk.  Tier 0 spends
        one tick per instruction, tier 1 a block's worth at once.

        Raises:
            ExhaustionError: fuel or time is used up.
        """
        self.fuel_consumed += self._granted - self.ticks
        self._granted = self.ticks = 0
        if self.fuel is not None and self.fuel_consumed > self.fuel:
            self.fuel_consumed = self.fuel
            raise ExhaustionError("all fuel consumed")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ExhaustionError("interrupted: timeout of %g s exceeded" % self.timeout)
        self._refill()

    def finish_call(self):
        """Account the fuel of a finished top-level call."""
        if self.metered:
            self.fuel_consumed += self._granted - self.ticks
            self._granted = self.ticks
