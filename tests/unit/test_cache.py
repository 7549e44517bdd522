"""The on-disk cache of tier-1 translations (engine/cache.py)."""

import os

from pywasi_interp import Module, Linker, Store
from pywasi_interp.engine import translate

from wasm_builder import I32, op, u32, END, functype, one_func_module, EXPORT, section, vec, name


def square_module():
    body = op("local.get") + u32(0) + op("local.get") + u32(0) + op("i32.mul") + END
    exports = section(EXPORT, vec([name("sq") + b"\x00" + u32(0)]))
    return Module(one_func_module(body, functype_=functype(I32, I32), extra=[exports]))


def run(module, cache_dir, **options):
    store = Store(engine="translate", cache_dir=str(cache_dir), **options)
    return Linker().instantiate(store, module).exports["sq"](12)


def entries(cache_dir):
    return [os.path.join(d, f) for d, _, files in os.walk(str(cache_dir)) for f in files]


def test_cache_second_run_skips_translation(tmp_path, monkeypatch):
    module = square_module()
    assert run(module, tmp_path) == 144
    assert len(entries(tmp_path)) == 1

    def no_translation(func):
        raise AssertionError("translated again despite the cache")
    monkeypatch.setattr(translate, "_compile", no_translation)
    assert run(square_module(), tmp_path) == 144


def test_cache_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    module = square_module()
    run(module, tmp_path)
    [path] = entries(tmp_path)
    with open(path, "r+b") as f:
        f.seek(40)
        f.write(b"\xff\xff\xff")
    assert run(square_module(), tmp_path) == 144
    with open(path, "rb") as f:
        assert b"\xff\xff\xff" not in f.read()[32:43]


def test_cache_truncated_entry_is_ignored(tmp_path):
    run(square_module(), tmp_path)
    [path] = entries(tmp_path)
    with open(path, "wb") as f:
        f.write(b"short")
    assert run(square_module(), tmp_path) == 144


def test_cache_keys_separate_metering_and_runtime_version(tmp_path, monkeypatch):
    run(square_module(), tmp_path)
    run(square_module(), tmp_path, fuel=10 ** 6)
    assert len(entries(tmp_path)) == 2
    from pywasi_interp.engine import cache
    monkeypatch.setattr(cache, "__version__", "999.0")
    run(square_module(), tmp_path)
    assert len(entries(tmp_path)) == 3


def test_cache_keys_separate_runtime_sources(tmp_path, monkeypatch):
    """Another build under the same version number (a checkout of another
    commit) never loads this one's entries."""
    from pywasi_interp.engine import cache
    digest = cache.sources_digest()
    assert len(digest) == 32 and cache.sources_digest() is digest      # read once
    run(square_module(), tmp_path)
    monkeypatch.setattr(cache, "_sources_digest", b"another build".ljust(32, b"\0"))
    store = Store(engine="translate", cache_dir=str(tmp_path))
    func = Linker().instantiate(store, square_module()).funcs[0]
    assert store.translation_cache.load(func) is None
    assert run(square_module(), tmp_path) == 144
    assert len(entries(tmp_path)) == 2


def test_cache_sources_digest_follows_the_files(tmp_path, monkeypatch):
    from pywasi_interp.engine import cache
    package = tmp_path / "pkg"
    (package / "engine").mkdir(parents=True)
    (package / "engine" / "translate.py").write_text("A = 1\n")
    (package / "notes.txt").write_text("not source")
    monkeypatch.setattr(cache, "_PACKAGE", str(package))
    digests = []
    for change in (None, lambda: (package / "notes.txt").write_text("changed"),
                   lambda: (package / "engine" / "translate.py").write_text("A = 2\n")):
        if change:
            change()
        monkeypatch.setattr(cache, "_sources_digest", None)
        digests.append(cache.sources_digest())
    assert digests[0] == digests[1] != digests[2]


def test_cache_unwritable_directory_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert run(square_module(), blocker) == 144
