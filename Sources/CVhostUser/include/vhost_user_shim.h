// Small C helpers for the Linux host's vhost-user backend: what Swift cannot express directly
// (SCM_RIGHTS ancillary data, acquire/release accesses to memory shared with another process).
#ifndef BOXLESS_VHOST_USER_SHIM_H
#define BOXLESS_VHOST_USER_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// Receives up to `len` bytes from a stream socket with up to `max_fds` file descriptors passed by
/// SCM_RIGHTS (unix(7)). Returns the byte count (0 at end of stream) or -errno; `*nfds` receives the
/// number of descriptors stored in `fds`. Descriptors beyond `max_fds` are closed.
long boxless_recv_with_fds(int sock, void *buf, size_t len, int *fds, int max_fds, int *nfds);

/// Sends `len` bytes on a stream socket, retrying on EINTR and short writes. Returns 0 or -errno.
int boxless_send_all(int sock, const void *buf, size_t len);

/// pipe2(2) with O_CLOEXEC (atomic, so a concurrent spawn elsewhere cannot inherit it). 0 or -errno.
int boxless_pipe_cloexec(int fds[2]);

/// accept4(2) with SOCK_CLOEXEC. The descriptor or -errno.
int boxless_accept_cloexec(int sock);

struct pollfd;
/// ppoll(2) with a timeout in nanoseconds; returns the count of ready descriptors or -errno.
int boxless_ppoll(struct pollfd *fds, unsigned long nfds, uint64_t timeout_ns);

/// Reads a 16-bit value with acquire ordering (a virtqueue index written by the other side).
static inline uint16_t boxless_load_acquire_u16(const void *p) {
    return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

/// Writes a 16-bit value with release ordering (publishes the entries written before it).
static inline void boxless_store_release_u16(void *p, uint16_t v) {
    __atomic_store_n((uint16_t *)p, v, __ATOMIC_RELEASE);
}

/// A full memory fence (virtio 1.1 §2.6.7.2: used index written before reading the flags).
static inline void boxless_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#endif
