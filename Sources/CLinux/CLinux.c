#define _GNU_SOURCE
#include "CLinux.h"
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include <time.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define BOTON_MAX_BATCH 256

/// Points each message header at its slot's buffer and peer. `receiving` gives the kernel the whole capacity
/// and the whole address space; sending gives it the reply's length and the peer's real address length.
static void boton_prepare(struct mmsghdr *msgs, struct iovec *iov, boton_datagram *slots, unsigned int count,
                          int receiving) {
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = slots[i].buffer;
        iov[i].iov_len = receiving ? slots[i].capacity : slots[i].length;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &slots[i].peer;
        msgs[i].msg_hdr.msg_namelen = receiving ? sizeof(struct sockaddr_storage) : slots[i].peer_length;
    }
}

int boton_recv_batch(int fd, boton_datagram *slots, unsigned int count, int flags) {
    if (count > BOTON_MAX_BATCH) count = BOTON_MAX_BATCH;
    struct mmsghdr msgs[BOTON_MAX_BATCH];
    struct iovec iov[BOTON_MAX_BATCH];
    boton_prepare(msgs, iov, slots, count, 1);
    int n = recvmmsg(fd, msgs, count, flags, NULL);
    for (int i = 0; i < n; i++) {
        slots[i].length = msgs[i].msg_len;
        slots[i].peer_length = msgs[i].msg_hdr.msg_namelen;
        slots[i].truncated = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }
    return n;
}

int boton_send_batch(int fd, boton_datagram *slots, unsigned int count, int flags) {
    if (count > BOTON_MAX_BATCH) count = BOTON_MAX_BATCH;
    struct mmsghdr msgs[BOTON_MAX_BATCH];
    struct iovec iov[BOTON_MAX_BATCH];
    boton_prepare(msgs, iov, slots, count, 0);
    return sendmmsg(fd, msgs, count, flags);
}

int boton_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int boton_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = token;
    int cop = op == 1 ? EPOLL_CTL_ADD : op == 2 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    return epoll_ctl(epfd, cop, fd, &ev);
}

int boton_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    if (max > BOTON_MAX_BATCH) max = BOTON_MAX_BATCH;
    struct epoll_event evs[BOTON_MAX_BATCH];
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        tokens[i] = evs[i].data.u64;
        events[i] = evs[i].events;
    }
    return n;
}

int boton_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int boton_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof one) == sizeof one ? 0 : -1;
}

int boton_eventfd_drain(int fd) {
    uint64_t value;
    return read(fd, &value, sizeof value) == sizeof value ? 0 : -1;
}

uint32_t boton_EPOLLIN(void) { return EPOLLIN; }
uint32_t boton_EPOLLOUT(void) { return EPOLLOUT; }
uint32_t boton_EPOLLRDHUP(void) { return EPOLLRDHUP; }
uint32_t boton_EPOLLHUP(void) { return EPOLLHUP; }
uint32_t boton_EPOLLERR(void) { return EPOLLERR; }
uint32_t boton_EPOLLET(void) { return EPOLLET; }

int boton_accept(int fd, struct sockaddr_storage *peer, socklen_t *peer_length) {
    *peer_length = sizeof(struct sockaddr_storage);
    int c = accept4(fd, (struct sockaddr *)peer, peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) {
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return c;
}

long long boton_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void boton_set_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    pthread_setname_np(pthread_self(), short_name);
}
