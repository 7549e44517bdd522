"""The top-level call boundary: where budgets are armed and Python's own
limits are turned into the runtime's error types."""

import threading

from ..errors import ExhaustionError

__all__ = ["invoke"]


def invoke(func, args):
    """Run ``func`` with raw ``args`` as a top-level (or host re-entrant) call.

    Raises:
        Trap, ExhaustionError, ProcExit: as the guest behaves.
    """
    store = getattr(func, "store", None)
    if store is None or store.depth > 0:
        # Host functions, or a re-entrant call from a host function inside
        # a running guest: the enclosing call owns the budgets.
        return _run(func, args)
    store.start_call()
    try:
        if store.stack_bytes is not None:
            return _run_on_big_stack(func, args, store.stack_bytes)
        return _run(func, args)
    finally:
        store.finish_call()
        store.depth = 0


def _run(func, args):
    try:
        return func.run(args)
    except RecursionError:
        raise ExhaustionError("call stack exhausted") from None
    except MemoryError:
        raise ExhaustionError("out of host memory") from None


_stack_lock = threading.Lock()


def _run_on_big_stack(func, args, stack_bytes):
    """Run on a fresh thread whose C stack fits the call-depth budget (see
    runtime/store.py); results and exceptions come back to the caller."""
    outcome = {}

    def target():
        try:
            outcome["result"] = _run(func, args)
        except BaseException as error:     # re-raised in the calling thread
            outcome["error"] = error

    with _stack_lock:       # stack_size() is process-wide: set, start, restore
        previous = threading.stack_size(stack_bytes)
        try:
            worker = threading.Thread(target=target, name="pywasi-guest", daemon=True)
            worker.start()
        finally:
            threading.stack_size(previous)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
