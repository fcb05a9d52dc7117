/*
 * The fan-out floor (issue 20, docs/BENCHMARKS.md "Fan-out"): what the kernel alone charges to write
 * one small frame to each of N loopback TCP sockets. One writer thread, pinned to one core, writes the
 * same FRAME-byte buffer to each of N sockets in turn, one round per event; one reader thread, pinned to
 * the other core, drains the peers with epoll. Each round waits until the reader has drained it, as the
 * server's rounds wait for every observer, so the reader sleeps between rounds and each write may wake it
 * (that wake-up is charged to the writer, as it is to a server). Prints the writer thread's CPU time
 * (user + sys, getrusage(RUSAGE_THREAD)) per frame written.
 *
 *   fanout-floor N [ROUNDS=200] [FRAME=260] [WRITER_CPU=0] [READER_CPU=1]
 *
 * Output, one line: "floor n=N rounds=R frame=F us_per_frame=U user_us=… sys_us=…".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static int n, rounds, frame, reader_cpu;
static int *peers;
static long long total_bytes;
static long long drained;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t progress = PTHREAD_COND_INITIALIZER;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
        fprintf(stderr, "cannot pin to cpu %d\n", cpu);
        exit(1);
    }
}

static void *reader(void *unused) {
    (void) unused;
    pin(reader_cpu);
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = peers[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, peers[i], &ev) < 0) die("epoll_ctl");
    }
    struct epoll_event events[256];
    char buf[65536];
    long long got = 0;
    while (got < total_bytes) {
        int k = epoll_wait(ep, events, 256, -1);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) die("epoll_wait");
        for (int i = 0; i < k; i++) {
            ssize_t r = read(events[i].data.fd, buf, sizeof buf);
            if (r < 0 && errno != EAGAIN) die("read");
            if (r > 0) got += r;
        }
        pthread_mutex_lock(&lock);
        drained = got;
        pthread_cond_signal(&progress);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s N [ROUNDS=200] [FRAME=260] [WRITER_CPU=0] [READER_CPU=1]\n", argv[0]);
        return 2;
    }
    n = atoi(argv[1]);
    rounds = argc > 2 ? atoi(argv[2]) : 200;
    frame = argc > 3 ? atoi(argv[3]) : 260;
    int writer_cpu = argc > 4 ? atoi(argv[4]) : 0;
    reader_cpu = argc > 5 ? atoi(argv[5]) : 1;
    if (n < 1 || rounds < 1 || frame < 1) {
        fprintf(stderr, "N, ROUNDS and FRAME must be positive\n");
        return 2;
    }
    struct rlimit nofile;
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
    if (listen(listener, 4096) < 0) die("listen");
    if (getsockname(listener, (struct sockaddr *) &addr, &len) < 0) die("getsockname");

    int *writers = calloc(n, sizeof *writers);
    peers = calloc(n, sizeof *peers);
    for (int i = 0; i < n; i++) {
        peers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (peers[i] < 0) die("socket");
        while (connect(peers[i], (struct sockaddr *) &addr, sizeof addr) < 0 && errno != EINPROGRESS) die("connect");
        writers[i] = accept(listener, NULL, NULL);
        if (writers[i] < 0) die("accept");
        int one = 1; /* as a WebSocket server does: small frames go out at once */
        setsockopt(writers[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }

    char *buf = malloc(frame);
    memset(buf, 'x', frame);
    total_bytes = (long long) n * rounds * frame;
    pthread_t r;
    pthread_create(&r, NULL, reader, NULL);
    pin(writer_cpu);

    struct rusage before, after;
    getrusage(RUSAGE_THREAD, &before);
    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < n; i++) {
            ssize_t w = write(writers[i], buf, frame);
            if (w != frame) die("write");
        }
        long long want = (long long) (round + 1) * n * frame;
        pthread_mutex_lock(&lock);
        while (drained < want) pthread_cond_wait(&progress, &lock);
        pthread_mutex_unlock(&lock);
    }
    getrusage(RUSAGE_THREAD, &after);
    pthread_join(r, NULL);

    double user = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1e6 + (after.ru_utime.tv_usec - before.ru_utime.tv_usec);
    double sys = (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1e6 + (after.ru_stime.tv_usec - before.ru_stime.tv_usec);
    double frames = (double) n * rounds;
    printf("floor n=%d rounds=%d frame=%d us_per_frame=%.2f user_us=%.0f sys_us=%.0f\n", n, rounds, frame,
           (user + sys) / frames, user, sys);
    return 0;
}
