/* Raw imports of wasi_snapshot_preview1, declared here instead of taken
 * from <wasi/api.h> so that tests can pass any pointer and length (bad
 * ones included) exactly as the ABI sees them.  Signatures follow the witx
 * (legacy/preview1/witx/wasi_snapshot_preview1.witx). */
#ifndef WASI_RAW_H
#define WASI_RAW_H
#include <stdint.h>

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

WASI(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
WASI(args_sizes_get) int32_t raw_args_sizes_get(int32_t argc, int32_t size);
WASI(environ_get) int32_t raw_environ_get(int32_t env, int32_t buf);
WASI(environ_sizes_get) int32_t raw_environ_sizes_get(int32_t count, int32_t size);
WASI(clock_res_get) int32_t raw_clock_res_get(int32_t id, int32_t res);
WASI(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t time);
WASI(fd_advise) int32_t raw_fd_advise(int32_t fd, int64_t offset, int64_t len, int32_t advice);
WASI(fd_allocate) int32_t raw_fd_allocate(int32_t fd, int64_t offset, int64_t len);
WASI(fd_close) int32_t raw_fd_close(int32_t fd);
WASI(fd_datasync) int32_t raw_fd_datasync(int32_t fd);
WASI(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t fd, int32_t buf);
WASI(fd_fdstat_set_flags) int32_t raw_fd_fdstat_set_flags(int32_t fd, int32_t flags);
WASI(fd_fdstat_set_rights) int32_t raw_fd_fdstat_set_rights(int32_t fd, int64_t base, int64_t inh);
WASI(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t fd, int32_t buf);
WASI(fd_filestat_set_size) int32_t raw_fd_filestat_set_size(int32_t fd, int64_t size);
WASI(fd_filestat_set_times) int32_t raw_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim, int32_t flags);
WASI(fd_pread) int32_t raw_fd_pread(int32_t fd, int32_t iovs, int32_t n, int64_t offset, int32_t nread);
WASI(fd_prestat_get) int32_t raw_fd_prestat_get(int32_t fd, int32_t buf);
WASI(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t fd, int32_t path, int32_t len);
WASI(fd_pwrite) int32_t raw_fd_pwrite(int32_t fd, int32_t iovs, int32_t n, int64_t offset, int32_t nwritten);
WASI(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nread);
WASI(fd_readdir) int32_t raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t used);
WASI(fd_renumber) int32_t raw_fd_renumber(int32_t fd, int32_t to);
WASI(fd_seek) int32_t raw_fd_seek(int32_t fd, int64_t offset, int32_t whence, int32_t newoffset);
WASI(fd_sync) int32_t raw_fd_sync(int32_t fd);
WASI(fd_tell) int32_t raw_fd_tell(int32_t fd, int32_t offset);
WASI(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nwritten);
WASI(path_create_directory) int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t len);
WASI(path_filestat_get) int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t buf);
WASI(path_filestat_set_times) int32_t raw_path_filestat_set_times(int32_t fd, int32_t flags, int32_t path, int32_t len, int64_t atim, int64_t mtim, int32_t fst);
WASI(path_link) int32_t raw_path_link(int32_t ofd, int32_t oflags, int32_t opath, int32_t olen, int32_t nfd, int32_t npath, int32_t nlen);
WASI(path_open) int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags, int64_t base, int64_t inh, int32_t fdflags, int32_t newfd);
WASI(path_readlink) int32_t raw_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buflen, int32_t used);
WASI(path_remove_directory) int32_t raw_path_remove_directory(int32_t fd, int32_t path, int32_t len);
WASI(path_rename) int32_t raw_path_rename(int32_t fd, int32_t opath, int32_t olen, int32_t nfd, int32_t npath, int32_t nlen);
WASI(path_symlink) int32_t raw_path_symlink(int32_t opath, int32_t olen, int32_t fd, int32_t npath, int32_t nlen);
WASI(path_unlink_file) int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t len);
WASI(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);
WASI(proc_exit) _Noreturn void raw_proc_exit(int32_t code);
WASI(proc_raise) int32_t raw_proc_raise(int32_t sig);
WASI(sched_yield) int32_t raw_sched_yield(void);
WASI(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
WASI(sock_accept) int32_t raw_sock_accept(int32_t fd, int32_t flags, int32_t newfd);
WASI(sock_recv) int32_t raw_sock_recv(int32_t fd, int32_t data, int32_t n, int32_t flags, int32_t len, int32_t oflags);
WASI(sock_send) int32_t raw_sock_send(int32_t fd, int32_t data, int32_t n, int32_t flags, int32_t len);
WASI(sock_shutdown) int32_t raw_sock_shutdown(int32_t fd, int32_t how);

/* Guest addresses as the ABI's i32 pointers. */
#define P(x) ((int32_t)(uintptr_t)(x))
/* Strings: pointer and length, without the NUL. */
#define S(s) P(s), (int32_t)__builtin_strlen(s)

/* An address far outside any memory this guest will ever have. */
#define BAD_PTR ((int32_t)0xFFFFFF00)

/* Rights bits used by the tests (witx "rights"). */
#define R_FD_DATASYNC (1ull << 0)
#define R_FD_READ (1ull << 1)
#define R_FD_SEEK (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define R_FD_SYNC (1ull << 4)
#define R_FD_TELL (1ull << 5)
#define R_FD_WRITE (1ull << 6)
#define R_FD_ADVISE (1ull << 7)
#define R_FD_ALLOCATE (1ull << 8)
#define R_PATH_CREATE_DIRECTORY (1ull << 9)
#define R_PATH_CREATE_FILE (1ull << 10)
#define R_PATH_OPEN (1ull << 13)
#define R_FD_READDIR (1ull << 14)
#define R_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define R_FD_FILESTAT_GET (1ull << 21)
#define R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define R_FD_FILESTAT_SET_TIMES (1ull << 23)
#define R_PATH_UNLINK_FILE (1ull << 26)
#define R_ALL ((1ull << 30) - 1)
/* Everything but the rights that would open a directory for writing (ISDIR). */
#define R_DIR (R_ALL & ~(R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE))
#define R_FILE_RW (R_FD_READ | R_FD_WRITE | R_FD_SEEK | R_FD_TELL | R_FD_FILESTAT_GET \
                   | R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | R_FD_SYNC \
                   | R_FD_DATASYNC | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FDSTAT_SET_FLAGS)

#define O_CREAT_ 1
#define O_DIRECTORY_ 2
#define O_EXCL_ 4
#define O_TRUNC_ 8
#define FOLLOW 1

#endif
