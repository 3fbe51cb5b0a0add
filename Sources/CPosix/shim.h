#ifndef VIGIL_CPOSIX_SHIM_H
#define VIGIL_CPOSIX_SHIM_H
// POSIX pseudo-terminal calls, and Linux socket calls, that Swift's Glibc module hides
// behind feature macros.
#include <stddef.h>
#include <errno.h>
#include <unistd.h>
#include <sys/types.h>

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

/// The credentials of a Unix socket's peer (Linux's struct ucred).
struct vigil_peer_credentials {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};

// Declared here rather than through <sys/socket.h>, whose declarations would then belong to
// this module and vanish from Glibc's for other files.
extern int getsockopt(int fd, int level, int option, void *value, unsigned int *length);

/// The peer's credentials on a connected Unix socket (SO_PEERCRED); -1 and errno on failure.
static inline int vigil_get_peer_credentials(int fd, struct vigil_peer_credentials *peer) {
    unsigned int length = sizeof(*peer);
    return getsockopt(fd, 1 /* SOL_SOCKET */, 17 /* SO_PEERCRED on x86, arm and arm64 Linux */, peer, &length);
}

// ppoll, which Swift's Glibc module hides behind _GNU_SOURCE: poll with a timeout in
// nanoseconds, so that a wait ends when it is due rather than at the next whole millisecond.
#include <poll.h>
#include <time.h>
extern int ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const void *signals);

/// `poll` on `fds` for at most `nanoseconds` (forever if negative); as `poll`, -1 and errno on failure.
static inline int vigil_poll_nanoseconds(struct pollfd *fds, nfds_t count, long long nanoseconds) {
    if (nanoseconds < 0) return ppoll(fds, count, NULL, NULL);
    struct timespec timeout = { (time_t)(nanoseconds / 1000000000LL), (long)(nanoseconds % 1000000000LL) };
    return ppoll(fds, count, &timeout, NULL);
}

// posix_spawn_file_actions_addclosefrom_np (glibc 2.34), which Swift's Glibc module hides
// behind _GNU_SOURCE; the actions go untyped so that <spawn.h>'s declarations stay Glibc's.
extern int posix_spawn_file_actions_addclosefrom_np(void *actions, int from);

/// Makes a spawned child close every descriptor from `from` up before it runs, close-on-exec
/// or not (a socket another thread accepted a moment ago without the flag, say); as the other
/// `posix_spawn_file_actions_*` calls, 0 or an error number.
static inline int vigil_spawn_close_from(void *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

#include <signal.h>

/// The signals a spawned child gets at their default disposition (`posix_spawnattr_setsigdefault`):
/// those a parent ignores or catches (SIGTERM and SIGINT through a dispatch source, SIGPIPE
/// ignored), since an ignored signal stays ignored across exec and the child could then neither
/// be stopped nor write to a closed pipe as programs expect.
static inline void vigil_child_signal_defaults(sigset_t *set) {
    static const int signals[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};
    sigemptyset(set);
    for (size_t index = 0; index < sizeof signals / sizeof *signals; index++) sigaddset(set, signals[index]);
}
#endif
