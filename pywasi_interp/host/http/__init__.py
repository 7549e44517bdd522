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
from .config import HttpConfig
from .functions import HttpHost
from .trace import HttpTracer

__all__ = ["HttpConfig", "HttpErrorCode", "HttpTracer", "HttpHost", "register",
           "MODULE_NAME"]


def register(linker, config, tracer=None):
    """Define the five imports of ``wasi_experimental_http`` on ``linker``.

    ``config`` is an HttpConfig; ``tracer`` an optional HttpTracer.  Returns
    the HttpHost, whose ``shutdown()`` releases open responses and pools.

    Raises:
        TypeError: ``config`` is not an HttpConfig.
    """
    if not isinstance(config, HttpConfig):
        raise TypeError("config must be an HttpConfig, got %s" % type(config).__name__)
    host = HttpHost(config, tracer)
    if tracer is not None and config.allow_all:
        tracer.notice("insecure:allow-all is in effect: the guest may contact any host")
    for name in FUNCTION_NAMES:
        linker.define_host(MODULE_NAME, name, getattr(host, name))
    return host
