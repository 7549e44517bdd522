"""A self-contained demonstration of outbound HTTP from a WebAssembly guest.

``python -m pywasi_interp.demo`` starts a small HTTP server on 127.0.0.1 (a
free port), then runs a bundled example guest (pywasi_interp/examples, C
compiled to wasm32-wasi, using the wasi_experimental_http imports described
in shared/spec/wasi-experimental-http-abi.md) through the normal
``pywasi-interp run`` path, granting exactly that server with
``--allowed-host`` and showing the HTTP trace with ``--trace http``.  No
outside network is needed.
"""

import argparse
import http.server
import json
import os
import shlex
import socketserver
import sys
import threading

__all__ = ["main", "example_path", "DemoServer"]

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples")
GUESTS = {
    "get": ("http_get.wasm", "/facts/dog", ["x-demo:hello from the guest"]),
    "post": ("http_post.wasm", "/post", ["Hello from WebAssembly!"]),
}


def example_path(name):
    """Path of a bundled example guest (``http_get.wasm``...)."""
    return os.path.join(EXAMPLES, name)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pywasi-demo/1"

    def log_message(self, format, *args):
        pass

    def _reply(self, status, payload):
        body = json.dumps(payload, indent=2).encode() + b"\n"
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/facts/dog":
            self._reply(200, {"fact": "A dog's nose print is unique, like a fingerprint.",
                              "you_sent": {k.lower(): v for k, v in self.headers.items()}})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self._reply(200, {"method": "POST", "body": body,
                          "headers": {k.lower(): v for k, v in self.headers.items()}})


class DemoServer:
    """The demo's local HTTP server (127.0.0.1, port picked by the OS)."""

    def __init__(self):
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
        self.httpd = Server(("127.0.0.1", 0), _Handler)
        self.origin = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _run(run_argv):
    from .cli import main as cli_main
    try:
        status = cli_main(run_argv)
    except SystemExit as exit_:
        status = exit_.code
    return 0 if status is None else status


def main(argv=None):
    """Run the demo; returns the guest's exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m pywasi_interp.demo",
        description="Run a bundled WebAssembly guest that calls a local HTTP server.")
    parser.add_argument("guest", nargs="?", choices=sorted(GUESTS), default="get",
                        help="which example guest to run (default: get)")
    parser.add_argument("--har", metavar="FILE", help="also write the requests as HAR 1.2")
    options = parser.parse_args(argv)
    wasm, path, extra = GUESTS[options.guest]
    with DemoServer() as server:
        run_argv = ["run", "--allowed-host", server.origin, "--trace", "http"]
        if options.har:
            run_argv += ["--har", options.har]
        run_argv += [example_path(wasm), server.origin + path] + extra
        print("local server: %s (127.0.0.1 only, no outside network)" % server.origin)
        print("$ pywasi-interp %s" % " ".join(shlex.quote(a) for a in run_argv))
        print("--- guest output (stdout); HTTP trace on stderr ---", flush=True)
        status = _run(run_argv)
        sys.stdout.flush()
        sys.stderr.flush()
        print("--- guest exited with status %d ---" % status)
    return status


if __name__ == "__main__":
    sys.exit(main())
