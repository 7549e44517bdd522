"""Path resolution inside a directory capability (host/wasi/sandbox.py) on
real temporary directories: every way out is refused, and paths that stay
inside resolve to the right directory and name."""

import os

import pytest

from pywasi_interp.host.wasi.abi import AbiError, Errno
from pywasi_interp.host.wasi.sandbox import resolve, MAX_SYMLINK_EXPANSIONS


@pytest.fixture
def tree(tmp_path):
    """root/{sandbox/{sub/, file.txt, links...}, outside/secret.txt}."""
    sandbox = tmp_path / "sandbox"
    (sandbox / "sub" / "deep").mkdir(parents=True)
    (sandbox / "file.txt").write_text("inside")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("SECRET")
    os.symlink("../outside", str(sandbox / "link_out"))
    os.symlink(str(tmp_path / "outside"), str(sandbox / "link_abs"))
    os.symlink("..", str(sandbox / "link_parent"))
    os.symlink("sub", str(sandbox / "link_sub"))
    os.symlink("file.txt", str(sandbox / "link_file"))
    os.symlink("../file.txt", str(sandbox / "sub" / "link_up"))
    os.symlink("loop", str(sandbox / "loop"))
    fd = os.open(str(sandbox), os.O_RDONLY | os.O_DIRECTORY)
    yield fd, tmp_path
    os.close(fd)


def errno_of(fd, path, follow=False):
    with pytest.raises(AbiError) as info:
        resolve(fd, path, follow).close()
    return info.value.errno


def resolved(fd, path, follow=False):
    """(inode of the directory reached, final name)."""
    with resolve(fd, path, follow) as r:
        return os.fstat(r.dirfd).st_ino, r.name


def ino(path):
    return os.stat(str(path)).st_ino


@pytest.mark.parametrize("path", [
    b"..", b"../outside/secret.txt", b"sub/../..", b"sub/deep/../../../outside",
    b"link_out/secret.txt", b"link_abs/secret.txt", b"link_parent/outside",
    b"link_parent/sandbox/file.txt", b"/etc/passwd", b"/", b"//",
])
def test_wasi_sandbox_escape_refused(tree, path):
    fd, _root = tree
    assert errno_of(fd, path) == Errno.PERM


@pytest.mark.parametrize("path", [b"link_out", b"link_abs", b"link_parent", b"link_parent/"])
def test_wasi_sandbox_escape_through_final_symlink_refused(tree, path):
    fd, _root = tree
    assert errno_of(fd, path, follow=True) == Errno.PERM


def test_wasi_sandbox_final_symlink_kept_without_follow(tree):
    fd, root = tree
    assert resolved(fd, b"link_out") == (ino(root / "sandbox"), b"link_out")


def test_wasi_sandbox_inside_paths(tree):
    fd, root = tree
    sandbox = root / "sandbox"
    assert resolved(fd, b"file.txt") == (ino(sandbox), b"file.txt")
    assert resolved(fd, b"sub/deep/../x") == (ino(sandbox / "sub"), b"x")
    assert resolved(fd, b"./sub//deep/") == (ino(sandbox / "sub"), b"deep/")
    assert resolved(fd, b".") == (ino(sandbox), b".")
    assert resolved(fd, b"sub/..") == (ino(sandbox), b".")
    assert resolved(fd, b"link_sub/deep") == (ino(sandbox / "sub"), b"deep")
    assert resolved(fd, b"link_file", follow=True) == (ino(sandbox), b"file.txt")
    assert resolved(fd, b"sub/link_up", follow=True) == (ino(sandbox), b"file.txt")
    assert resolved(fd, b"missing") == (ino(sandbox), b"missing")


def test_wasi_sandbox_errors(tree):
    fd, _root = tree
    assert errno_of(fd, b"") == Errno.NOENT
    assert errno_of(fd, b"a\0b") == Errno.INVAL
    assert errno_of(fd, b"missing/x") == Errno.NOENT
    assert errno_of(fd, b"file.txt/x") == Errno.NOTDIR
    assert errno_of(fd, b"loop", follow=True) == Errno.LOOP
    assert errno_of(fd, b"loop/x") == Errno.LOOP


def test_wasi_sandbox_symlink_chain_limit(tmp_path):
    for i in range(MAX_SYMLINK_EXPANSIONS + 1):
        os.symlink("l%d" % (i + 1), str(tmp_path / ("l%d" % i)))
    (tmp_path / ("l%d" % (MAX_SYMLINK_EXPANSIONS + 1))).write_text("end")
    fd = os.open(str(tmp_path), os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert errno_of(fd, b"l0", follow=True) == Errno.LOOP
        assert resolved(fd, b"l1", follow=True)[1] == b"l%d" % (MAX_SYMLINK_EXPANSIONS + 1)
    finally:
        os.close(fd)


def test_wasi_sandbox_no_descriptor_leak(tree):
    fd, _root = tree
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        resolved(fd, b"sub/deep/../deep/x")
        errno_of(fd, b"sub/deep/../../..")
    assert len(os.listdir("/proc/self/fd")) == before
