/* The same file-system work through wasi-libc's POSIX layer, as ordinary C
 * programs do it: stdio, open/pread/pwrite/lseek with O_APPEND, dirent,
 * stat, rename, unlink, symlinks, time and sleep.  Run with one preopen
 * mapped as "data" (an empty writable directory); prints one line per step. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    FILE *f = fopen("data/notes.txt", "w");
    printf("fopen w: %s\n", f ? "ok" : strerror(errno));
    for (int i = 0; i < 100; i++) fprintf(f, "line %d\n", i);
    fclose(f);
    f = fopen("data/notes.txt", "r");
    char line[64];
    int lines = 0;
    while (fgets(line, sizeof line, f)) lines++;
    printf("lines read back: %d\n", lines);
    fseek(f, -8, SEEK_END);
    fgets(line, sizeof line, f);
    printf("last line: %s", line);
    fclose(f);

    int fd = open("data/app.bin", O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
    write(fd, "ab", 2);
    lseek(fd, 0, SEEK_SET);
    write(fd, "cd", 2);
    printf("offset after append: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    fd = open("data/app.bin", O_RDWR);
    pwrite(fd, "XY", 2, 1);
    char buf[16] = {0};
    pread(fd, buf, 4, 0);
    printf("pread: %s offset %lld\n", buf, (long long)lseek(fd, 0, SEEK_CUR));
    ftruncate(fd, 2);
    struct stat st;
    fstat(fd, &st);
    printf("size after ftruncate: %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);

    printf("mkdir: %d\n", mkdir("data/sub", 0755));
    printf("mkdir again: %d %s\n", mkdir("data/sub", 0755), strerror(errno));
    printf("rename: %d\n", rename("data/app.bin", "data/sub/moved.bin"));
    printf("stat moved: %d\n", stat("data/sub/moved.bin", &st));
    printf("stat old: %d %s\n", stat("data/app.bin", &st), strerror(errno));
    printf("symlink: %d\n", symlink("moved.bin", "data/sub/link"));
    memset(buf, 0, sizeof buf);
    printf("readlink: %d %s\n", (int)readlink("data/sub/link", buf, sizeof buf - 1), buf);
    printf("lstat is link: %d\n", lstat("data/sub/link", &st) == 0 && S_ISLNK(st.st_mode));
    printf("stat through link size: %d %lld\n", stat("data/sub/link", &st), (long long)st.st_size);

    DIR *d = opendir("data");
    char *names[16];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 16) names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("readdir data:");
    for (int i = 0; i < n; i++) printf(" %s", names[i]);
    printf("\n");

    printf("unlink link: %d\n", unlink("data/sub/link"));
    printf("unlink moved: %d\n", unlink("data/sub/moved.bin"));
    printf("rmdir: %d\n", rmdir("data/sub"));
    printf("rmdir again: %d %s\n", rmdir("data/sub"), strerror(errno));
    printf("open outside: %s\n", fopen("/etc/passwd", "r") ? "opened" : strerror(errno));
    printf("open parent: %s\n", fopen("data/../../etc/passwd", "r") ? "opened" : strerror(errno));
    printf("access missing: %d %s\n", access("data/none", F_OK), strerror(errno));

    time_t now = time(NULL);
    printf("time sane: %d\n", now > 1577836800);
    struct timespec a, b, req = {0, 30 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ms = (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("slept at least 30ms: %d\n", ms >= 30);
    printf("getenv HOME: %s\n", getenv("HOME") ? getenv("HOME") : "(unset)");
    printf("isatty(stdout): %d\n", isatty(1));
    return 0;
}
