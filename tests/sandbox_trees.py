"""Directory trees the WASI test guests expect, shared by the host and CLI tests."""

import os


def make_escape_tree(root, absolute_link=None):
    """The layout wasi_escape.c expects (see its header comment);
    ``link_abs`` points at ``absolute_link`` (default: root/outside)."""
    sandbox = root / "sandbox"
    (sandbox / "sub").mkdir(parents=True)
    (sandbox / "file.txt").write_text("inside\n")
    (root / "outside").mkdir()
    (root / "outside" / "secret.txt").write_text("SECRET\n")
    os.symlink("../outside", str(sandbox / "link_out"))
    os.symlink(absolute_link or str(root / "outside"), str(sandbox / "link_abs"))
    os.symlink("..", str(sandbox / "link_parent"))
    os.symlink("../../outside/secret.txt", str(sandbox / "sub" / "link_up2"))
    return sandbox
