/*
 * udp_flood: one sender process flooding the alert port with well-shaped 68-byte device frames (Scripts/bench
 * hostile, phases 1 and 2), as fast as sendmmsg allows (batches of 64).
 *
 *   udp_flood HOST:PORT --source ADDR [--duration S] [--device HEX32] [--lat LAT --lon LON]
 *
 * Every frame is an `alerta` that decodes (magic "BS", version 1, kind 1, flags 1 with a position in range,
 * battery 50, reserved zero, the current time, a fresh sequence number), see Sources/BotonWire/BotonWire.docc:
 *   without --device: a random device id per frame and a random MAC (unknown ids are refused before any MAC check);
 *   with --device:    that (known) device id and a random, hence wrong, MAC.
 * The socket is bound to --source (e.g. 127.0.0.2), so the flood comes from another address than the legitimate
 * load. A second thread counts the datagrams the server answers.
 *
 * Prints one JSON line: {"sent":N,"seconds":S,"rate":R,"replies":N,"attacker_cpu_s":S[,"send_errors":N]}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME 68

static int sock = -1;
static atomic_int stop_replies;
static atomic_ullong replies;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_state[2];
static uint64_t next_random(void) { /* xorshift128+ */
    uint64_t s1 = rng_state[0];
    const uint64_t s0 = rng_state[1];
    rng_state[0] = s0;
    s1 ^= s1 << 23;
    rng_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return rng_state[1] + s0;
}

static void put64(unsigned char *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (unsigned char)v; v >>= 8; }
}
static void put32(unsigned char *p, uint32_t v) {
    for (int i = 3; i >= 0; i--) { p[i] = (unsigned char)v; v >>= 8; }
}

static void *reply_loop(void *arg) {
    (void)arg;
    static unsigned char bufs[BATCH][128];
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
        if (n > 0) atomic_fetch_add(&replies, (unsigned long long)n);
    }
    return NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: udp_flood HOST:PORT --source ADDR [--duration S] [--device HEX32] [--lat LAT --lon LON]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *target = NULL, *source = "0.0.0.0", *device = NULL;
    double duration = 10, lat = -0.2202, lon = -78.5123;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--source") && i + 1 < argc) source = argv[++i];
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
        else if (!strcmp(argv[i], "--lat") && i + 1 < argc) lat = atof(argv[++i]);
        else if (!strcmp(argv[i], "--lon") && i + 1 < argc) lon = atof(argv[++i]);
        else if (argv[i][0] == '-') usage();
        else if (!target) target = argv[i];
        else usage();
    }
    if (!target || duration <= 0) usage();
    unsigned char known[16];
    if (device) {
        if (strlen(device) != 32) usage();
        for (int i = 0; i < 16; i++) {
            unsigned v;
            if (sscanf(device + 2 * i, "%2x", &v) != 1) usage();
            known[i] = (unsigned char)v;
        }
    }

    char host[64];
    const char *colon = strrchr(target, ':');
    if (!colon || (size_t)(colon - target) >= sizeof host) usage();
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = 0;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = 0};
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1 || inet_pton(AF_INET, source, &from.sin_addr) != 1) usage();
    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) { perror("socket"); return 1; }
    if (bind(sock, (struct sockaddr *)&from, sizeof from) < 0) { perror("bind --source"); return 1; }
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    rng_state[0] = (uint64_t)wall_ms() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
    rng_state[1] = 0xBF58476D1CE4E5B9ULL ^ ((uint64_t)getpid() << 32);
    for (int i = 0; i < 16; i++) next_random();

    /* The constant part of every frame. */
    static unsigned char frames[BATCH][FRAME];
    int32_t lat_e7 = (int32_t)(lat * 1e7), lon_e7 = (int32_t)(lon * 1e7);
    for (int i = 0; i < BATCH; i++) {
        unsigned char *f = frames[i];
        memset(f, 0, FRAME);
        f[0] = 'B'; f[1] = 'S'; f[2] = 1; f[3] = 1;  /* magic, version, kind alerta */
        f[4] = 1; f[5] = 50;                          /* flags: has position; battery 50 % */
        if (device) memcpy(f + 8, known, 16);
        put32(f + 40, (uint32_t)lat_e7);
        put32(f + 44, (uint32_t)lon_e7);
        f[48] = 0; f[49] = 10;                        /* accuracy 10 m, fix age 0 */
    }
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = frames[i];
        iov[i].iov_len = FRAME;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }

    pthread_t thread;
    if (pthread_create(&thread, NULL, reply_loop, NULL)) { perror("pthread_create"); return 1; }
    unsigned long long sent = 0, errors = 0;
    uint64_t sequence = (uint64_t)wall_ms();
    double start = now_s(), end = start;
    while (end - start < duration) {
        int64_t ms = wall_ms();
        for (int i = 0; i < BATCH; i++) {
            unsigned char *f = frames[i];
            if (!device) { put64(f + 8, next_random()); put64(f + 16, next_random()); }
            put64(f + 24, ++sequence);
            put64(f + 32, (uint64_t)ms);
            put64(f + 52, next_random());
            put64(f + 60, next_random());
        }
        int r = sendmmsg(sock, msgs, BATCH, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) errors++;
            else { perror("sendmmsg"); return 1; }
        } else sent += (unsigned long long)r;
        end = now_s();
    }
    usleep(300000); /* the last answers */
    atomic_store(&stop_replies, 1);
    pthread_join(thread, NULL);
    double seconds = end - start;
    printf("{\"sent\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"replies\":%llu", sent, seconds,
           seconds > 0 ? (double)sent / seconds : 0, (unsigned long long)atomic_load(&replies));
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf(",\"attacker_cpu_s\":%.2f", (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6
                                           + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6);
    if (errors) printf(",\"send_errors\":%llu", errors);
    printf("}\n");
    return 0;
}
