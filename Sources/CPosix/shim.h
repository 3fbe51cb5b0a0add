#ifndef VIGIL_CPOSIX_SHIM_H
#define VIGIL_CPOSIX_SHIM_H
// POSIX pseudo-terminal calls that Swift's Glibc module hides behind feature macros.
#include <stddef.h>
#include <errno.h>
#include <unistd.h>

extern int posix_openpt(int flags);
extern int grantpt(int fd);
extern int unlockpt(int fd);
extern int ptsname_r(int fd, char *buf, size_t buflen);

/// Opens a new pseudo-terminal master with `flags` and unlocks its slave; -1 and errno on failure.
static inline int vigil_open_pty_master(int flags) {
    int fd = posix_openpt(flags);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
#endif
