// Linux calls Swift cannot import directly: recvmmsg/sendmmsg (behind _GNU_SOURCE), epoll (a packed struct on
// x86_64) and eventfd. Each is wrapped with plain C types.
#ifndef BOTON_CLINUX_H
#define BOTON_CLINUX_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// One datagram slot of a batch: the caller owns `buffer`; the kernel fills `length` and `peer`.
typedef struct boton_datagram {
    void *buffer;
    uint32_t capacity;
    uint32_t length;
    struct sockaddr_storage peer;
    socklen_t peer_length;
    /// Set on receive when the datagram was larger than `capacity` (MSG_TRUNC).
    int truncated;
} boton_datagram;

/// recvmmsg: receives up to `count` datagrams (at most 256). Returns how many, or -1 with errno.
int boton_recv_batch(int fd, boton_datagram *slots, unsigned int count, int flags);

/// sendmmsg: sends `count` datagrams (at most 256), each `length` bytes of `buffer` to `peer`. Returns how many
/// were sent, or -1 with errno.
int boton_send_batch(int fd, boton_datagram *slots, unsigned int count, int flags);

int boton_epoll_create(void);
/// Adds, modifies (`op` 1 add, 2 delete, 3 modify) a descriptor with `events` (EPOLLIN=1, EPOLLOUT=4,
/// EPOLLRDHUP=0x2000, EPOLLET=1u<<31) and a 64-bit token.
int boton_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// Waits for up to `max` events (at most 256): tokens and event masks into the two arrays.
int boton_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

/// An eventfd, non-blocking and close-on-exec.
int boton_eventfd(void);
/// Adds one to the eventfd (wakes a waiter).
int boton_eventfd_signal(int fd);
/// Resets the eventfd to zero.
int boton_eventfd_drain(int fd);

/// accept4 (non-blocking, close-on-exec) with TCP_NODELAY set on the new connection. -1 with errno.
int boton_accept(int fd, struct sockaddr_storage *peer, socklen_t *peer_length);
/// Names the calling thread (truncated to Linux's 15 bytes), for top -H and debuggers.
void boton_set_thread_name(const char *name);
/// CLOCK_MONOTONIC in milliseconds.
long long boton_monotonic_ms(void);

uint32_t boton_EPOLLIN(void);
uint32_t boton_EPOLLOUT(void);
uint32_t boton_EPOLLRDHUP(void);
uint32_t boton_EPOLLHUP(void);
uint32_t boton_EPOLLERR(void);
uint32_t boton_EPOLLET(void);
#endif
