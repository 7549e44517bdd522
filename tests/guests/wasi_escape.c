/* Escape attempts against the preopened directory (fd 3).  Every line is
 * an attempt to read, create, change or look at something outside it; the
 * test expects each to fail (PERM is wasmtime's errno for "would escape")
 * and checks on the host that nothing outside changed.
 *
 * The host prepares, inside the preopen: sub/ (a directory), file.txt,
 * link_out -> ../outside, link_abs -> <absolute path of outside>,
 * link_parent -> .., sub/link_up2 -> ../../outside/secret.txt;
 * and next to the preopen: outside/secret.txt. */
#include <stdint.h>
#include "testlib.h"

static uint8_t stat_buf[64] __attribute__((aligned(8)));
static char buf[256];

static void try_open(const char *label, int32_t dir, int32_t flags, const char *path, int32_t oflags) {
    int32_t fd = -1;
    int32_t err = raw_path_open(dir, flags, S(path), oflags, (int64_t)(R_FD_READ | R_FD_WRITE), 0, 0, P(&fd));
    e(label, err);
    if (err == 0) {
        uint32_t n = 0;
        memset(buf, 0, sizeof buf);
        read_n(fd, buf, sizeof buf - 1, &n);
        printf("  opened, read: %s\n", buf);
        raw_fd_close(fd);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* reading */
    try_open("open ../outside/secret.txt", 3, 0, "../outside/secret.txt", 0);
    try_open("open absolute /etc/passwd", 3, 0, "/etc/passwd", 0);
    try_open("open sub/../../outside/secret.txt", 3, 0, "sub/../../outside/secret.txt", 0);
    try_open("open sub/./../sub/../../outside", 3, 0, "sub/./../sub/../../outside", O_DIRECTORY_);
    try_open("open ..", 3, 0, "..", O_DIRECTORY_);
    try_open("open link_out/secret.txt", 3, 0, "link_out/secret.txt", 0);
    try_open("open link_out/secret.txt follow", 3, FOLLOW, "link_out/secret.txt", 0);
    try_open("open link_abs/secret.txt", 3, 0, "link_abs/secret.txt", 0);
    try_open("open link_abs follow", 3, FOLLOW, "link_abs", O_DIRECTORY_);
    try_open("open link_parent follow", 3, FOLLOW, "link_parent", O_DIRECTORY_);
    try_open("open link_parent/ (trailing slash)", 3, 0, "link_parent/", 0);
    try_open("open link_parent/outside/secret.txt", 3, 0, "link_parent/outside/secret.txt", 0);
    try_open("open sub/link_up2 follow", 3, FOLLOW, "sub/link_up2", 0);
    try_open("open link_out nofollow", 3, 0, "link_out", 0);

    /* from a descriptor below the preopen: its own root is the limit */
    int32_t sub = open_at(3, "sub", O_DIRECTORY_, R_DIR, 0);
    try_open("open .. from sub", sub, 0, "..", O_DIRECTORY_);
    try_open("open ../file.txt from sub", sub, 0, "../file.txt", 0);
    int32_t dot = open_at(3, ".", O_DIRECTORY_, R_DIR, 0);
    try_open("open ../outside from .", dot, 0, "../outside/secret.txt", 0);

    /* looking */
    e("filestat link_out/secret.txt", raw_path_filestat_get(3, FOLLOW, S("link_out/secret.txt"), P(stat_buf)));
    e("filestat ../outside", raw_path_filestat_get(3, 0, S("../outside"), P(stat_buf)));
    e("filestat link_abs/ (trailing slash)", raw_path_filestat_get(3, 0, S("link_abs/"), P(stat_buf)));
    e("filestat link_abs follow", raw_path_filestat_get(3, FOLLOW, S("link_abs"), P(stat_buf)));
    uint32_t used = 0;
    e("readlink link_out/x", raw_path_readlink(3, S("link_out/x"), P(buf), 100, P(&used)));
    e("readlink ../outside/secret.txt", raw_path_readlink(3, S("../outside/secret.txt"), P(buf), 100, P(&used)));

    /* creating */
    e("mkdir ../evil", raw_path_create_directory(3, S("../evil")));
    e("mkdir link_out/evil", raw_path_create_directory(3, S("link_out/evil")));
    try_open("create ../evil.txt", 3, 0, "../evil.txt", O_CREAT_);
    try_open("create link_out/evil.txt", 3, 0, "link_out/evil.txt", O_CREAT_);
    try_open("create link_abs/evil.txt", 3, FOLLOW, "link_abs/evil.txt", O_CREAT_);
    e("symlink dangling_out -> ../outside/evil.txt", raw_path_symlink(S("../outside/evil.txt"), 3, S("dangling_out")));
    try_open("create through dangling_out", 3, FOLLOW, "dangling_out", O_CREAT_);
    e("symlink mylink -> ../outside/secret.txt", raw_path_symlink(S("../outside/secret.txt"), 3, S("mylink")));
    try_open("open mylink follow", 3, FOLLOW, "mylink", 0);
    e("symlink abs -> /etc", raw_path_symlink(S("/etc"), 3, S("abslink")));
    try_open("open abslink/passwd", 3, 0, "abslink/passwd", 0);
    e("symlink ../escape (name outside)", raw_path_symlink(S("x"), 3, S("../escape")));

    /* changing */
    e("rename file.txt -> ../stolen.txt", raw_path_rename(3, S("file.txt"), 3, S("../stolen.txt")));
    e("rename link_out/secret.txt -> mine.txt", raw_path_rename(3, S("link_out/secret.txt"), 3, S("mine.txt")));
    e("rename ../outside/secret.txt -> mine.txt", raw_path_rename(3, S("../outside/secret.txt"), 3, S("mine.txt")));
    e("link link_out/secret.txt -> mine.txt", raw_path_link(3, 0, S("link_out/secret.txt"), 3, S("mine.txt")));
    e("link file.txt -> ../outside/evil.txt", raw_path_link(3, 0, S("file.txt"), 3, S("../outside/evil.txt")));
    e("link file.txt -> link_out/evil.txt", raw_path_link(3, 0, S("file.txt"), 3, S("link_out/evil.txt")));
    e("unlink ../outside/secret.txt", raw_path_unlink_file(3, S("../outside/secret.txt")));
    e("unlink link_out/secret.txt", raw_path_unlink_file(3, S("link_out/secret.txt")));
    e("rmdir ../outside", raw_path_remove_directory(3, S("../outside")));
    e("rmdir link_parent/outside", raw_path_remove_directory(3, S("link_parent/outside")));
    e("set_times link_out/secret.txt", raw_path_filestat_set_times(3, FOLLOW, S("link_out/secret.txt"), 0, 0, 2 | 8));
    e("set_times ../outside/secret.txt", raw_path_filestat_set_times(3, 0, S("../outside/secret.txt"), 0, 0, 2 | 8));

    /* the sandbox itself still works */
    try_open("open file.txt (allowed)", 3, 0, "file.txt", 0);
    printf("done\n");
    return 0;
}
