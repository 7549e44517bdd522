"""The top-level call boundary: where budgets are armed and Python's own
limits are turned into the runtime's error types."""

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
