/*
 * udp_blast: sends fixed-size frames from a file to HOST:PORT with sendmmsg (batches of 64).
 *
 *   udp_blast HOST:PORT --frames FILE [--size 68] [--rate N] [--duration S] [--once]
 *             [--count-replies] [--reply-wait S] [--rcvbuf BYTES]
 *
 * FILE is concatenated frames of --size bytes each (a trailing partial frame is ignored). Frames are sent in
 * file order, cycling through the file unless --once (stop when the file is exhausted). Without --rate it sends
 * as fast as sendmmsg allows; with --rate N it paces on an absolute 1 ms schedule (clock_nanosleep,
 * TIMER_ABSTIME): at tick k it tops the count up to floor(N*(k+1)/1000), so a late tick is caught up, never
 * lost. It runs for --duration seconds (default 10; with --once, until the file is exhausted unless a
 * duration is also given).
 *
 * --count-replies: a second thread receives on the same socket (recvmmsg, 200 ms timeout) and counts replies;
 * after the last send it keeps counting until --reply-wait seconds (default 1) pass without a reply.
 *
 * Prints one JSON line: {"sent":N,"seconds":S,"rate":R} (plus "replies":N with --count-replies).
 * seconds runs from the first send to the end of the send loop; rate = sent / seconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double ts_s(const struct timespec *ts) { return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9; }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_s(&ts);
}

static void usage(void) {
    fprintf(stderr, "usage: udp_blast HOST:PORT --frames FILE [--size 68] [--rate N] [--duration S] [--once]\n"
                    "                 [--count-replies] [--reply-wait S] [--rcvbuf BYTES]\n");
    exit(2);
}

static int sock = -1;
static atomic_int stop_replies;
static atomic_ullong replies;
/* Replies by kind: an acknowledgement (64 bytes) carries its status at byte 4 (0 aceptada, 1 duplicada,
 * 2 ocupado-reintente, 3 rechazada); anything else (8-byte short rejections) is "other". */
static atomic_ullong by_status[5];
static double start_time;
static _Atomic double last_stored_reply; /* seconds since start of the last aceptada/duplicada reply */

static void *reply_loop(void *arg) {
    (void)arg;
    static unsigned char bufs[BATCH][2048];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    while (!atomic_load(&stop_replies)) {
        memset(msgs, 0, sizeof msgs);
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = sizeof bufs[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(sock, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n > 0) {
            atomic_fetch_add(&replies, (unsigned long long)n);
            int stored = 0;
            for (int i = 0; i < n; i++) {
                int kind = (msgs[i].msg_len == 64 && bufs[i][4] <= 3) ? bufs[i][4] : 4;
                atomic_fetch_add(&by_status[kind], 1ULL);
                if (kind <= 1) stored = 1;
            }
            if (stored) atomic_store(&last_stored_reply, now_s() - start_time);
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNREFUSED) {
            perror("recvmmsg (replies)");
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *target = NULL, *path = NULL;
    long size = 68;
    double rate = 0, duration = -1, reply_wait = 1;
    int once = 0, count_replies = 0, rcvbuf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--frames") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--size") && i + 1 < argc) size = atol(argv[++i]);
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "--reply-wait") && i + 1 < argc) reply_wait = atof(argv[++i]);
        else if (!strcmp(argv[i], "--rcvbuf") && i + 1 < argc) rcvbuf = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--once")) once = 1;
        else if (!strcmp(argv[i], "--count-replies")) count_replies = 1;
        else if (argv[i][0] == '-') usage();
        else if (!target) target = argv[i];
        else usage();
    }
    if (!target || !path || size <= 0 || size > 65507 || rate < 0) usage();
    if (duration < 0) duration = once ? 1e18 : 10;

    /* The frames, all in memory. */
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    struct stat st;
    if (fstat(fileno(f), &st) < 0) { perror("fstat"); return 1; }
    size_t nframes = (size_t)st.st_size / (size_t)size;
    if (nframes == 0) { fprintf(stderr, "%s: no whole %ld-byte frame\n", path, size); return 1; }
    if ((size_t)st.st_size % (size_t)size)
        fprintf(stderr, "warning: %s: ignoring %zu trailing bytes\n", path, (size_t)st.st_size % (size_t)size);
    unsigned char *frames = malloc(nframes * (size_t)size);
    if (!frames || fread(frames, (size_t)size, nframes, f) != nframes) { perror("read frames"); return 1; }
    fclose(f);

    /* HOST:PORT, [v6]:PORT. */
    char host[256];
    const char *colon = strrchr(target, ':');
    if (!colon || (size_t)(colon - target) >= sizeof host) usage();
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = 0;
    char *h = host;
    if (h[0] == '[') { h++; char *e = strchr(h, ']'); if (e) *e = 0; }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *ai;
    int gai = getaddrinfo(h, colon + 1, &hints, &ai);
    if (gai) { fprintf(stderr, "%s: %s\n", target, gai_strerror(gai)); return 1; }
    sock = socket(ai->ai_family, SOCK_DGRAM, 0);
    if (sock < 0) { perror("socket"); return 1; }
    /* Bind now (ephemeral port) so the reply thread can receive from the start. */
    struct sockaddr_storage any = {.ss_family = (sa_family_t)ai->ai_family};
    if (bind(sock, (struct sockaddr *)&any, (socklen_t)ai->ai_addrlen) < 0) { perror("bind"); return 1; }
    if (rcvbuf > 0 && setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) perror("SO_RCVBUF");
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    start_time = now_s();
    pthread_t thread;
    if (count_replies && pthread_create(&thread, NULL, reply_loop, NULL)) { perror("pthread_create"); return 1; }

    /* One message per slot; the iov is re-pointed at the next frames before each sendmmsg. */
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_len = (size_t)size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = ai->ai_addr;
        msgs[i].msg_hdr.msg_namelen = ai->ai_addrlen;
    }

    unsigned long long sent = 0, errors = 0;
    size_t next = 0; /* index of the next frame in the file */
    int exhausted = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double start = ts_s(&t0), end = start;

    /* Sends `want` frames (or fewer if --once runs out); returns how many left. */
#define SEND_UP_TO(want)                                                                        \
    do {                                                                                        \
        unsigned long long _left = (want);                                                      \
        while (_left > 0 && !exhausted) {                                                       \
            int _n = _left < BATCH ? (int)_left : BATCH;                                        \
            if (once && nframes - next < (size_t)_n) _n = (int)(nframes - next);                \
            for (int _i = 0; _i < _n; _i++)                                                     \
                iov[_i].iov_base = frames + ((next + (size_t)_i) % nframes) * (size_t)size;     \
            int _r = sendmmsg(sock, msgs, (unsigned)_n, 0);                                     \
            if (_r < 0) {                                                                       \
                if (errno == EINTR) continue;                                                   \
                if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {             \
                    errors++; /* the datagram at the head is skipped */                         \
                    _r = 1;                                                                     \
                } else { perror("sendmmsg"); return 1; }                                        \
            } else sent += (unsigned long long)_r;                                              \
            next = (next + (size_t)_r) % nframes;                                               \
            if (once && sent + errors >= nframes) exhausted = 1;                                \
            _left -= (unsigned long long)_r;                                                    \
        }                                                                                       \
    } while (0)

    if (rate <= 0) {
        while (!exhausted) {
            SEND_UP_TO(BATCH * 16);
            end = now_s();
            if (end - start >= duration) break;
        }
    } else {
        unsigned long long done = 0;
        for (unsigned long long k = 0;; k++) {
            if ((double)k / 1000.0 >= duration || exhausted) break;
            unsigned long long due = (unsigned long long)(rate * (double)(k + 1) / 1000.0);
            if (due > done) { SEND_UP_TO(due - done); done = due; }
            struct timespec wake = t0;
            unsigned long long ns = (unsigned long long)t0.tv_nsec + (k + 1) * 1000000ULL;
            wake.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000ULL);
            wake.tv_nsec = (long)(ns % 1000000000ULL);
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL) == EINTR) {}
        }
        end = now_s();
    }
    double seconds = end - start;

    if (count_replies) {
        /* Keep counting until replies stop arriving (reply_wait without one), at most 10 x reply_wait. */
        double deadline = now_s() + 10 * reply_wait, quiet_since = now_s();
        unsigned long long seen = atomic_load(&replies);
        while (now_s() < deadline && now_s() - quiet_since < reply_wait) {
            usleep(50000);
            unsigned long long r = atomic_load(&replies);
            if (r != seen) { seen = r; quiet_since = now_s(); }
        }
        atomic_store(&stop_replies, 1);
        pthread_join(thread, NULL);
    }

    printf("{\"sent\":%llu,\"seconds\":%.6f,\"rate\":%.1f", sent, seconds, seconds > 0 ? (double)sent / seconds : 0);
    if (count_replies) {
        printf(",\"replies\":%llu,\"aceptada\":%llu,\"duplicada\":%llu,\"ocupado\":%llu,\"rechazada\":%llu,"
               "\"other\":%llu,\"last_stored_reply_s\":%.6f",
               (unsigned long long)atomic_load(&replies), (unsigned long long)atomic_load(&by_status[0]),
               (unsigned long long)atomic_load(&by_status[1]), (unsigned long long)atomic_load(&by_status[2]),
               (unsigned long long)atomic_load(&by_status[3]), (unsigned long long)atomic_load(&by_status[4]),
               atomic_load(&last_stored_reply));
    }
    if (errors) printf(",\"send_errors\":%llu", errors);
    printf("}\n");
    freeaddrinfo(ai);
    free(frames);
    return 0;
}
