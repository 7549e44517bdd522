"""Peak memory of streaming a large HTTP response body through a guest.

Issue 4 / shared/spec/wasi-experimental-http-abi.md section 11 (A8, and our
streaming design): ``body_read`` pulls from the connection as the guest
reads, so host memory must stay flat whatever the body size.

Runs the bundled ``http_download`` guest through ``pywasi-interp run`` (a
subprocess per run) against a local server that generates the body on the
fly, once with a tiny body (baseline) and once with a large one, and prints
each child's peak RSS (``getrusage`` of the waited child).  Not a test:
numbers depend on the machine.

    python3 tools/bench_http_memory.py [--size-mb 100] [--chunk 65536]
"""

import argparse
import http.server
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUEST = os.path.join(ROOT, "pywasi_interp", "examples", "http_download.wasm")
PIECE = bytes(range(256)) * 256         # 64 KiB


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        total = int(self.path.rsplit("/", 1)[1])
        self.send_response(200)
        self.send_header("content-length", str(total))
        self.end_headers()
        sent = 0
        while sent < total:
            piece = PIECE[:min(len(PIECE), total - sent)]
            self.wfile.write(piece)
            sent += len(piece)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def run_once(origin, size, chunk, workdir, python):
    argv = [python, "-m", "pywasi_interp", "run", "--allowed-host", origin,
            "--http-max-body", "unlimited", "--dir", "%s::/out" % workdir,
            GUEST, "%s/bytes/%d" % (origin, size), "/out/body.bin", str(chunk)]
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("guest failed:\n%s%s" % (out, err))
    written = os.path.getsize(os.path.join(workdir, "body.bin"))
    if written != size:
        sys.exit("wrong size %d != %d" % (written, size))
    # ru_maxrss is in KiB on Linux
    return usage.ru_maxrss / 1024.0, elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=65536)
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter running pywasi-interp (e.g. pypy3)")
    args = parser.parse_args(argv)
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = "http://127.0.0.1:%d" % server.server_address[1]
    size = args.size_mb * 1024 * 1024
    print("python: %s" % args.python)
    with tempfile.TemporaryDirectory() as workdir:
        base_rss, base_time = run_once(origin, 1024, args.chunk, workdir, args.python)
        print("baseline   1 KiB body: peak RSS %7.1f MiB  (%.2f s)" % (base_rss, base_time))
        big_rss, big_time = run_once(origin, size, args.chunk, workdir, args.python)
        print("%6d MiB body       : peak RSS %7.1f MiB  (%.2f s, %.1f MiB/s)"
              % (args.size_mb, big_rss, big_time, args.size_mb / big_time))
        print("growth for the large body: %.1f MiB (body is %d MiB)"
              % (big_rss - base_rss, args.size_mb))
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
