/*
 * udp_drain: the reference UDP receiver. Binds 127.0.0.1:PORT, drains datagrams with recvmmsg (batches of
 * 64, 2048-byte buffers, MSG_WAITFORONE, blocking with a 200 ms SO_RCVTIMEO), XORs every byte of every
 * datagram into a checksum, and stops DURATION seconds after the first datagram (or after --idle seconds
 * without one).
 *
 *   udp_drain PORT DURATION [--reuseport] [--rcvbuf BYTES] [--wait S] [--idle S]
 *
 * Prints one JSON line: {"received":N,"seconds":S,"rate":R,"bytes":B,"checksum":"hex"}
 * seconds runs from the first recvmmsg that returned data to the last one; rate = received / seconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define BUFSZ 2048

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void) {
    fprintf(stderr, "usage: udp_drain PORT DURATION [--reuseport] [--rcvbuf BYTES] [--wait S] [--idle S]\n"
                    "  --wait S  give up if no first datagram within S seconds (default 60)\n"
                    "  --idle S  stop early after S seconds without a datagram, once started (default 2)\n");
    exit(2);
}

/* Every byte goes through here: 8 bytes at a time, then the tail. */
static inline uint64_t fold(const unsigned char *p, size_t n, uint64_t acc) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc ^= w;
    }
    for (; i < n; i++) acc ^= (uint64_t)p[i] << (8 * (i & 7));
    return acc;
}

int main(int argc, char **argv) {
    int port = -1, reuseport = 0, rcvbuf = 0;
    double duration = -1, wait_first = 60, idle = 2;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reuseport")) reuseport = 1;
        else if (!strcmp(argv[i], "--rcvbuf") && i + 1 < argc) rcvbuf = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--wait") && i + 1 < argc) wait_first = atof(argv[++i]);
        else if (!strcmp(argv[i], "--idle") && i + 1 < argc) idle = atof(argv[++i]);
        else if (argv[i][0] == '-') usage();
        else if (pos == 0) { port = atoi(argv[i]); pos++; }
        else if (pos == 1) { duration = atof(argv[i]); pos++; }
        else usage();
    }
    if (port <= 0 || port > 65535 || duration <= 0) usage();

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int one = 1;
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
        perror("SO_REUSEPORT"); return 1;
    }
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) {
        perror("SO_RCVBUF"); return 1;
    }
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) { perror("SO_RCVTIMEO"); return 1; }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }

    static unsigned char bufs[BATCH][BUFSZ];
    static struct iovec iov[BATCH];
    static struct mmsghdr msgs[BATCH];
    static struct sockaddr_in peers[BATCH];

    uint64_t received = 0, bytes = 0, checksum = 0;
    double started = now_s(), first = 0, last = 0;
    int running = 0;
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = BUFSZ;
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &peers[i];
            msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
            msgs[i].msg_hdr.msg_control = NULL;
            msgs[i].msg_hdr.msg_controllen = 0;
            msgs[i].msg_hdr.msg_flags = 0;
        }
        /* MSG_WAITFORONE: block (up to SO_RCVTIMEO) for the first datagram only, then take what is queued. */
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        double t = now_s();
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { perror("recvmmsg"); return 1; }
        } else if (n > 0) {
            if (!running) { running = 1; first = t; }
            last = t;
            received += (uint64_t)n;
            for (int i = 0; i < n; i++) {
                bytes += msgs[i].msg_len;
                checksum = fold(bufs[i], msgs[i].msg_len, checksum);
            }
        }
        if (!running) {
            if (t - started >= wait_first) break;
        } else if (t - first >= duration || t - last >= idle) {
            break;
        }
    }
    double seconds = running ? last - first : 0;
    double rate = seconds > 0 ? (double)received / seconds : 0;
    printf("{\"received\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"bytes\":%llu,\"checksum\":\"%016llx\"}\n",
           (unsigned long long)received, seconds, rate, (unsigned long long)bytes, (unsigned long long)checksum);
    close(fd);
    return 0;
}
