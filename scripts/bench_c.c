/* The plain-C loops `scripts/bench-vs-c.sh` compares `ipclab bench` with: the same method
 * (fork, warm-up of count/10 capped at 1000, sequence number + checksum + one byte per cache
 * line written and checked, CLOCK_MONOTONIC, receiver-timed throughput, parent-timed
 * ping-pong), for every mechanism `ipclab bench` has: pipe, fifo, unix-stream,
 * unix-dgram, tcp, sysv-msg, posix-mq, sysv-shm (semaphore hand-off), posix-shm and mmap-file
 * (a spinning ring), eventfd and signal (notification only: latency).
 *
 *   bench_c MECH throughput|latency SIZE COUNT CPU_PARENT CPU_CHILD   (CPU -1: unpinned)
 * prints "msgs_per_s" for throughput, "p50_ns_one_way" for latency.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdatomic.h>
#include <signal.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>

static size_t SIZE;
static int rfd[2], wfd[2]; /* per direction: read end, write end (pipe / socket) */
static int msqid;
static unsigned char *ring; static uint32_t SLOTS;
static const char *MECH;
static int semid; static unsigned char *seg; static mqd_t mq[2]; static int efd[2];
static pid_t peer; static char fifo[2][128];
static int is(const char *m) { return !strcmp(MECH, m); }
static int streamy(void) { return is("pipe") || is("fifo") || is("unix-stream") || is("tcp"); }
static void sop(int num, int op) { struct sembuf b = { (unsigned short)num, (short)op, 0 }; if (semop(semid, &b, 1)) exit(2); }

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static uint64_t sum(uint64_t seq) { uint64_t x = (seq ^ SIZE) * 0x9E3779B97F4A7C15ull; return (x << 17) | (x >> 47); }
static void stamp(unsigned char *b, uint64_t seq) {
    memcpy(b, &seq, 8); uint64_t s = sum(seq); memcpy(b + 8, &s, 8);
    for (size_t i = 16; i < SIZE; i += 64) b[i] = (unsigned char)(seq ^ (i >> 6));
}
static void check(const unsigned char *b, uint64_t seq) {
    uint64_t g, s; memcpy(&g, b, 8); memcpy(&s, b + 8, 8);
    if (g != seq || s != sum(seq)) { fprintf(stderr, "bad message %llu\n", (unsigned long long)seq); exit(1); }
    for (size_t i = 16; i < SIZE; i += 64) if (b[i] != (unsigned char)(seq ^ (i >> 6))) { fprintf(stderr, "corrupt\n"); exit(1); }
}
static void wr(int fd, const unsigned char *b) { size_t d = 0; while (d < SIZE) { ssize_t n = write(fd, b + d, SIZE - d); if (n <= 0) exit(2); d += n; } }
static void rd(int fd, unsigned char *b) { size_t d = 0; while (d < SIZE) { ssize_t n = read(fd, b + d, SIZE - d); if (n <= 0) exit(2); d += n; } }

#define RING_HDR 128
static _Atomic uint32_t *ctr(int dir, int which) { return (_Atomic uint32_t *)(ring + dir * (RING_HDR + SIZE * SLOTS) + which * 64); }
static unsigned char *slot(int dir, uint32_t i) { return ring + dir * (RING_HDR + SIZE * SLOTS) + RING_HDR + (i % SLOTS) * SIZE; }

static void send_(int dir, unsigned char *b) {
    if (streamy()) wr(wfd[dir], b);
    else if (is("unix-dgram")) { if (send(wfd[dir], b, SIZE, 0) != (ssize_t)SIZE) exit(2); }
    else if (is("sysv-msg")) {
        static unsigned char *m; if (!m) m = malloc(8 + SIZE);
        long t = dir + 1; memcpy(m, &t, 8); memcpy(m + 8, b, SIZE);
        if (msgsnd(msqid, m, SIZE, 0)) exit(2);
    } else if (is("posix-mq")) { if (mq_send(mq[dir], (char *)b, SIZE, 0)) exit(2); }
    else if (is("sysv-shm")) { sop(2 * dir, -1); memcpy(seg + dir * SIZE, b, SIZE); sop(2 * dir + 1, 1); }
    else if (is("eventfd")) { uint64_t one = 1; if (write(efd[dir], &one, 8) != 8) exit(2); }
    else if (is("signal")) { kill(peer, SIGUSR1); }
    else {
        uint32_t i = atomic_load_explicit(ctr(dir, 0), memory_order_relaxed);
        while (i - atomic_load_explicit(ctr(dir, 1), memory_order_acquire) >= SLOTS) __builtin_ia32_pause();
        memcpy(slot(dir, i), b, SIZE);
        atomic_store_explicit(ctr(dir, 0), i + 1, memory_order_seq_cst);
    }
}
static void recv_(int dir, unsigned char *b) {
    if (streamy()) rd(rfd[dir], b);
    else if (is("unix-dgram")) { if (recv(rfd[dir], b, SIZE, 0) != (ssize_t)SIZE) exit(2); }
    else if (is("sysv-msg")) {
        static unsigned char *m; if (!m) m = malloc(8 + SIZE);
        if (msgrcv(msqid, m, SIZE, dir + 1, 0) != (ssize_t)SIZE) exit(2);
        memcpy(b, m + 8, SIZE);
    } else if (is("posix-mq")) { if (mq_receive(mq[dir], (char *)b, SIZE, 0) != (ssize_t)SIZE) exit(2); }
    else if (is("sysv-shm")) { sop(2 * dir + 1, -1); memcpy(b, seg + dir * SIZE, SIZE); sop(2 * dir, 1); }
    else if (is("eventfd")) { uint64_t v; if (read(efd[dir], &v, 8) != 8) exit(2); }
    else if (is("signal")) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1); sigwaitinfo(&s, 0); }
    else {
        uint32_t o = atomic_load_explicit(ctr(dir, 1), memory_order_relaxed);
        while (atomic_load_explicit(ctr(dir, 0), memory_order_acquire) == o) __builtin_ia32_pause();
        memcpy(b, slot(dir, o), SIZE);
        atomic_store_explicit(ctr(dir, 1), o + 1, memory_order_seq_cst);
    }
}
static void pin(int cpu) { if (cpu >= 0) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); sched_setaffinity(0, sizeof s, &s); } }
static int cmp(const void *a, const void *b) { uint64_t x = *(uint64_t *)a, y = *(uint64_t *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv)
{
    if (argc < 7) { fprintf(stderr, "usage: bench_c MECH MODE SIZE COUNT CPU_PARENT CPU_CHILD\n"); return 2; }
    MECH = argv[1]; int lat = !strcmp(argv[2], "latency"); SIZE = strtoul(argv[3], 0, 10);
    uint64_t count = strtoull(argv[4], 0, 10), warm = count / 10; if (warm < 1) warm = 1; if (warm > 1000) warm = 1000;
    int res[2]; if (pipe(res)) return 2;
    if (is("pipe")) { for (int d = 0; d < 2; d++) { int p[2]; if (pipe(p)) return 2; rfd[d] = p[0]; wfd[d] = p[1]; } }
    else if (is("fifo")) {
        for (int d = 0; d < 2; d++) { snprintf(fifo[d], sizeof fifo[d], "/tmp/ipclab-bench-c-%d-%d", getpid(), d); mkfifo(fifo[d], 0600); }
    }
    else if (is("unix-stream") || is("unix-dgram")) {
        int s[2]; if (socketpair(AF_UNIX, is("unix-stream") ? SOCK_STREAM : SOCK_DGRAM, 0, s)) return 2;
        /* As ipclab: 4 MiB buffers for datagrams, the defaults for streams. */
        int big = 4 << 20;
        if (is("unix-dgram")) for (int i = 0; i < 2; i++) { setsockopt(s[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof big); setsockopt(s[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof big); }
        wfd[0] = rfd[1] = s[0]; wfd[1] = rfd[0] = s[1];
    }
    else if (is("tcp")) {
        int l = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t n = sizeof a; bind(l, (void *)&a, sizeof a); listen(l, 1); getsockname(l, (void *)&a, &n);
        int c = socket(AF_INET, SOCK_STREAM, 0); if (connect(c, (void *)&a, sizeof a)) return 2; int sv = accept(l, 0, 0); close(l);
        int one = 1; setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); setsockopt(sv, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        wfd[0] = rfd[1] = c; wfd[1] = rfd[0] = sv;
    }
    else if (is("sysv-msg")) { msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600); }
    else if (is("posix-mq")) {
        for (int d = 0; d < 2; d++) {
            char name[64]; snprintf(name, sizeof name, "/ipclab-bench-c-%d-%d", getpid(), d);
            struct mq_attr at = { .mq_maxmsg = 10, .mq_msgsize = (long)SIZE };
            mq[d] = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &at); mq_unlink(name); if (mq[d] < 0) return 2;
        }
    }
    else if (is("sysv-shm")) {
        int id = shmget(IPC_PRIVATE, 2 * SIZE, IPC_CREAT | 0600); seg = shmat(id, 0, 0); shmctl(id, IPC_RMID, 0);
        semid = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600); semctl(semid, 0, SETVAL, 1); semctl(semid, 2, SETVAL, 1);
    }
    else if (is("eventfd")) { efd[0] = eventfd(0, 0); efd[1] = eventfd(0, 0); }
    else if (is("signal")) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1); sigprocmask(SIG_BLOCK, &s, 0); }
    else {
        SLOTS = (4 << 20) / SIZE; if (SLOTS < 4) SLOTS = 4; if (SLOTS > 1024) SLOTS = 1024;
        char name[64]; snprintf(name, sizeof name, "/ipclab-bench-c-%d", getpid());
        int fd;
        if (is("posix-shm")) { fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600); shm_unlink(name); }
        else { snprintf(name, sizeof name, "/tmp/ipclab-bench-c-%d.ring", getpid()); fd = open(name, O_CREAT | O_EXCL | O_RDWR, 0600); unlink(name); }
        size_t len = 2 * (RING_HDR + SIZE * SLOTS); if (ftruncate(fd, len)) return 2;
        ring = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    int payload = !is("eventfd") && !is("signal");
    unsigned char *b = malloc(SIZE);
    pid_t pid = fork();
    if (pid == 0) {
        pin(atoi(argv[6]));
        peer = getppid();
        if (is("fifo")) { rfd[0] = open(fifo[0], O_RDONLY); wfd[1] = open(fifo[1], O_WRONLY); }
        double t0 = now(); uint64_t seq = 0;
        if (!lat) {
            for (; seq < warm + count; seq++) { recv_(0, b); check(b, seq); if (seq + 1 == warm) t0 = now(); }
            double r = (double)count / (now() - t0); if (write(res[1], &r, sizeof r) < 0) return 2;
        } else {
            for (; seq < warm + count; seq++) { recv_(0, b); if (payload) check(b, seq); send_(1, b); }
        }
        return 0;
    }
    pin(atoi(argv[5]));
    peer = pid;
    if (is("fifo")) { wfd[0] = open(fifo[0], O_WRONLY); rfd[1] = open(fifo[1], O_RDONLY); unlink(fifo[0]); unlink(fifo[1]); }
    if (!lat) {
        for (uint64_t i = 0; i < warm + count; i++) { stamp(b, i); send_(0, b); }
        double r; if (read(res[0], &r, sizeof r) != sizeof r) return 2;
        printf("%.0f\n", r);
    } else {
        uint64_t *rtt = malloc(count * sizeof *rtt), n = 0;
        for (uint64_t i = 0; i < warm + count; i++) {
            stamp(b, i); double t = now(); send_(0, b); recv_(1, b); double e = now() - t; if (payload) check(b, i);
            if (i >= warm) rtt[n++] = (uint64_t)(e * 1e9);
        }
        qsort(rtt, n, sizeof *rtt, cmp);
        printf("%llu\n", (unsigned long long)(rtt[n / 2] / 2));
    }
    waitpid(pid, 0, 0);
    if (msqid) msgctl(msqid, IPC_RMID, 0);
    if (semid) semctl(semid, 0, IPC_RMID);
    return 0;
}
