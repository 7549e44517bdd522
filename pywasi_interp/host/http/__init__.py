"""The ``wasi_experimental_http`` host module (deislabs' HTTP ABI) over urllib3.

Implements shared/spec/wasi-experimental-http-abi.md (the guest ABI of its
sections 0-4, the policy of sections 5-6 and the decisions of section 11).
``register(linker, config, tracer=None)`` is the only entry point; the
grants are an ``HttpConfig``.

    from pywasi_interp.host.http import HttpConfig, register
    host = register(linker, HttpConfig(allowed_hosts=["https://example.com"]))
    ...
    host.shutdown()        # releases open responses and connection pools
"""

from .abi import MODULE_NAME, FUNCTION_NAMES, HttpErrorCode

__all__ = ["HttpConfig", "HttpErrorCode", "HttpTracer", "HttpHost", "register",
           "MODULE_NAME"]

# The rest loads on first use, so that a command line run of a module that
# does not import HTTP never pays for it (PEP 562).
_LAZY = {"HttpConfig": "config", "HttpHost": "functions", "HttpTracer": "trace"}


def __getattr__(name):
    submodule = _LAZY.get(name)
    if submodule is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import importlib
    value = getattr(importlib.import_module("." + submodule, __name__), name)
    globals()[name] = value
    return value


def register(linker, config, tracer=None):
    """Define the five imports of ``wasi_experimental_http`` on ``linker``.

    ``config`` is an HttpConfig; ``tracer`` an optional HttpTracer.  Returns
    the HttpHost, whose ``shutdown()`` releases open responses and pools.

    Raises:
        TypeError: ``config`` is not an HttpConfig.
    """
    from .config import HttpConfig
    from .functions import HttpHost
    if not isinstance(config, HttpConfig):
        raise TypeError("config must be an HttpConfig, got %s" % type(config).__name__)
    host = HttpHost(config, tracer)
    if tracer is not None and config.allow_all:
        tracer.notice("insecure:allow-all is in effect: the guest may contact any host")
    for name in FUNCTION_NAMES:
        linker.define_host(MODULE_NAME, name, getattr(host, name))
    return host
