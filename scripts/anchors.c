/* The public benchmarks `ipclab bench` is held against, as plain C loops that reproduce each
 * one's program line for line (written from the sources at the commits below; nothing is
 * fetched at run time), and ipclab's own methods in C where no public program exists.
 *
 *   anchors MECH lat|thr SIZE COUNT CPU_PARENT CPU_CHILD     (CPU -1: not pinned)
 *
 * lat prints "mean_one_way_ns N", thr prints "msgs_per_s N", as the anchors print means.
 * scripts/bench-vs-anchors.sh builds this file twice: with each anchor's own flags
 * (rigtorp: CMakeLists.txt sets none beyond warnings, so -O0; goldsborough: -O3;
 * detailyang: Makefile `-g -Wall`, so -O0) and with -O2.
 *
 * Anchors (the row people would run is the anchor's master):
 *   rigtorp/ipc-bench @ b281203 (master, 2020)
 *     lat pipe   src/pipe_lat.c    two pipes, ping-pong; one clock around the loop, total/(2n)
 *     lat unix   src/unix_lat.c    socketpair(AF_UNIX, SOCK_STREAM); as pipe_lat
 *     lat tcp    src/tcp_lat.c     loopback connection, no TCP_NODELAY (:83-130 set none)
 *     thr pipe   src/pipe_thr.c    the pipe as made (no F_SETPIPE_SZ), sender timed from
 *                                  the first write to the last (:90-116), no wait()
 *     thr unix   src/unix_thr.c    socketpair stream; as pipe_thr
 *     thr tcp    src/tcp_thr.c     TCP_NODELAY on the sender only (:150); as pipe_thr
 *   goldsborough/ipc-bench @ 589146a (master)
 *     lat shm    source/shm/{server,client}.c  a segment of 1+SIZE bytes, the guard byte at
 *                0 and the data at +1 (server.c:57,63); memset to write, memcpy to read;
 *                each round trip timed with timespec_get(TIME_UTC) (common/benchmarks.c:16),
 *                the mean of the round trips (printed as "Average duration"), halved here
 *     lat mmap   source/mmap/{server,client}.c  a file of SIZE bytes; data at offset 0, over
 *                the guard byte (server.c:56, client.c:43-46); otherwise as shm
 *     lat msg    source/mq/{server,client}.c   one System V queue, two message types
 *   detailyang/ipc_benchmark @ 4e1f678 (master)
 *     thr fifo   fifo.c     one FIFO; sender timed first write to last (gettimeofday, :66-74)
 *     thr mq     posixq.c   one POSIX queue, mq_maxmsg 10 (:21), msgsize SIZE; as fifo.c
 *     thr semshm shm.c      one segment, two semaphores, one way; as fifo.c
 *   Differences that remain: the anchors' fixed names (./fifo-ipc, /tmp/mmap, ftok keys)
 *   become private ones (mkdtemp, IPC_PRIVATE), so two runs cannot collide; pinning is
 *   done here per process (the anchors take `taskset`); a short read is looped over where
 *   rigtorp's pipe_thr.c:82 would fail with "read".
 *
 * ipclab's own methods in C (no anchor has a program; bench-vs-anchors.sh prints them in a
 * table of their own, never under an anchor's name):
 *   lat fifo udg mq semshm eventfd signal   rigtorp's ping-pong on these mechanisms
 *   lat rpc    an ONC RPC NULL call over UDP loopback, marshalled by hand (the 40-byte call
 *              and 24-byte reply of RFC 5531), the bytes `ipclab bench --only rpc` sends
 *   thr udg msg   detailyang's sender-timed loop (its uds.c is a stream socket)
 *   thr shm mmap  a single-producer ring of RING_BYTES (anonymous for shm, a file for
 *              mmap), each message stamped at both ends and checked, as `--verify ends`
 *
 * None of them warms up or checks what arrives; ipclab does both (see docs/bench.md).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static size_t SIZE;
static long COUNT;
static char *buf;    /* the payload: malloc(SIZE), as every anchor has it (so its alignment too) */
static char *msgbuf; /* System V messages: mtype, then SIZE bytes (goldsborough mq) */
static int fd[2][2]; /* fd[d][0] read end, fd[d][1] write end, direction d: 0 down, 1 up */
static int msqid, semid, efd[2];
static mqd_t mq[2];
static unsigned char *mem; /* shm: guard byte then data; mmap: both at 0; semshm: data */
static pid_t peer;

static void die(const char *what) { perror(what); exit(1); }

static double now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(int cpu) {
	if (cpu < 0) return;
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof s, &s)) die("sched_setaffinity");
}

static void full_write(int f, const char *p, size_t n) {
	while (n) { ssize_t w = write(f, p, n); if (w < 0) die("write"); p += w; n -= w; }
}
static void full_read(int f, char *p, size_t n) {
	while (n) { ssize_t r = read(f, p, n); if (r <= 0) die("read"); p += r; n -= r; }
}

/* A private directory for the files (the FIFOs, the mmap files): made with mkdtemp in
 * $TMPDIR (or /tmp), 0700, so no other user can plant a file or a link under the names. */
static char scratch[256];

/* The path of LEAF in that directory (made at the first call). */
static void scratch_path(char *out, size_t n, const char *leaf) {
	if (!scratch[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(scratch, sizeof scratch, "%s/anchors-XXXXXX", dir && *dir ? dir : "/tmp");
		if (!mkdtemp(scratch)) die("mkdtemp");
	}
	snprintf(out, n, "%s/%s", scratch, leaf);
}

/* The objects with no name to unlink, and the (by then empty) directory: removed at exit,
 * die() included (children leave with _exit and do not run this). */
static void cleanup(void) {
	if (msqid > 0) msgctl(msqid, IPC_RMID, 0);
	if (semid > 0) semctl(semid, 0, IPC_RMID);
	if (scratch[0]) rmdir(scratch);
}

static void sem_op(int num, int op) {
	struct sembuf b = {num, op, 0};
	if (semop(semid, &b, 1)) die("semop");
}

/* Make the channel of MECH (before the fork: both sides inherit it). */
static void setup(const char *m, int thr) {
	if (!strcmp(m, "pipe") || !strcmp(m, "fifo")) {
		for (int d = 0; d < 2; d++) {
			if (!strcmp(m, "pipe")) {
				if (pipe(fd[d])) die("pipe"); /* as made: rigtorp never resizes */
			} else {
				char p[300], leaf[16];
				snprintf(leaf, sizeof leaf, "fifo%d", d);
				scratch_path(p, sizeof p, leaf);
				if (mkfifo(p, 0600)) die("mkfifo");
				fd[d][0] = open(p, O_RDONLY | O_NONBLOCK);
				fd[d][1] = open(p, O_WRONLY);
				fcntl(fd[d][0], F_SETFL, 0);
				unlink(p);
			}
		}
	} else if (!strcmp(m, "rpc")) {
		int s[2];
		struct sockaddr_in a[2];
		for (int i = 0; i < 2; i++) {
			socklen_t n = sizeof a[i];
			memset(&a[i], 0, sizeof a[i]);
			a[i].sin_family = AF_INET;
			a[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			s[i] = socket(AF_INET, SOCK_DGRAM, 0);
			if (bind(s[i], (void *)&a[i], n) || getsockname(s[i], (void *)&a[i], &n)) die("rpc bind");
		}
		if (connect(s[0], (void *)&a[1], sizeof a[1]) || connect(s[1], (void *)&a[0], sizeof a[0])) die("rpc connect");
		fd[0][1] = fd[1][0] = s[0]; /* the caller */
		fd[0][0] = fd[1][1] = s[1]; /* the server */
	} else if (!strcmp(m, "unix") || !strcmp(m, "udg")) {
		int s[2];
		if (socketpair(AF_UNIX, strcmp(m, "udg") ? SOCK_STREAM : SOCK_DGRAM, 0, s)) die("socketpair");
		int big = 4 << 20; /* datagrams only (detailyang's uds), as ipclab does */
		for (int i = 0; i < 2 && !strcmp(m, "udg"); i++) {
			setsockopt(s[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
			setsockopt(s[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
		}
		fd[0][1] = fd[1][0] = s[0]; /* parent writes down and reads up on s[0] */
		fd[0][0] = fd[1][1] = s[1];
	} else if (!strcmp(m, "tcp")) {
		int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t n = sizeof a;
		if (bind(l, (void *)&a, n) || listen(l, 1) || getsockname(l, (void *)&a, &n)) die("tcp");
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (void *)&a, n)) die("connect");
		int s = accept(l, 0, 0);
		/* tcp_thr.c:150 sets TCP_NODELAY on the sender; tcp_lat.c sets it nowhere. */
		if (thr) setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		fd[0][1] = fd[1][0] = c;
		fd[0][0] = fd[1][1] = s;
	} else if (!strcmp(m, "msg")) {
		if ((msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) < 0) die("msgget");
	} else if (!strcmp(m, "mq")) {
		struct mq_attr at = {.mq_maxmsg = 10, .mq_msgsize = (long)SIZE};
		for (int d = 0; d < 2; d++) {
			char p[64];
			snprintf(p, sizeof p, "/anchors-%d-%d", getpid(), d);
			if ((mq[d] = mq_open(p, O_CREAT | O_EXCL | O_RDWR, 0600, &at)) < 0) die("mq_open");
			mq_unlink(p);
		}
	} else if (!strcmp(m, "shm") || !strcmp(m, "semshm")) {
		int id = shmget(IPC_PRIVATE, 2 * SIZE + 1, IPC_CREAT | 0600);
		if (id < 0 || (mem = shmat(id, 0, 0)) == (void *)-1) die("shm");
		shmctl(id, IPC_RMID, 0);
		if (!strcmp(m, "semshm")) {
			/* detailyang's WRITE_SEM (1) and READ_SEM (0), one pair per direction. */
			if ((semid = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600)) < 0) die("semget");
			for (int d = 0; d < 2; d++) {
				semctl(semid, 2 * d, SETVAL, 1);
				semctl(semid, 2 * d + 1, SETVAL, 0);
			}
		}
	} else if (!strcmp(m, "mmap")) {
		char p[300];
		scratch_path(p, sizeof p, "map");
		int f = open(p, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (f < 0 || ftruncate(f, SIZE < 1 ? 1 : SIZE)) die("mmap file");
		mem = mmap(0, SIZE < 1 ? 1 : SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
		unlink(p);
		if (mem == MAP_FAILED) die("mmap");
	} else if (!strcmp(m, "eventfd")) {
		efd[0] = eventfd(0, 0);
		efd[1] = eventfd(0, 0);
	} else if (!strcmp(m, "signal")) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigprocmask(SIG_BLOCK, &s, 0);
	} else {
		fprintf(stderr, "anchors: unknown mechanism %s\n", m);
		exit(2);
	}
}

/* The mechanism, decided once (a string compared per message would be timed too). */
enum { M_OTHER, M_EVENTFD, M_MQ, M_MSG, M_RPC, M_SEMSHM, M_SIGNAL, M_UDG };
static int M;
static uint32_t xid; /* the RPC call's, as its server echoes it */

/* One message of direction d (0: parent to child, 1: child to parent). */
static void send_msg(int d) {
	if (M == M_RPC) {
		/* d 0: CALL xid, 0, rpcvers 2, prog, vers 1, proc 0 (NULL), AUTH_NONE x2;
		 * d 1: REPLY xid, 1, MSG_ACCEPTED, AUTH_NONE verf, SUCCESS. */
		if (d == 0) {
			uint32_t call[10] = {htonl(++xid), 0, htonl(2), htonl(0x20006013), htonl(1), 0, 0, 0, 0, 0};
			if (send(fd[0][1], call, sizeof call, 0) != sizeof call) die("send call");
		} else {
			uint32_t reply[6] = {htonl(xid), htonl(1), 0, 0, 0, 0};
			if (send(fd[1][1], reply, sizeof reply, 0) != sizeof reply) die("send reply");
		}
	} else if (M == M_MSG) {
		*(long *)msgbuf = d + 1;
		if (msgsnd(msqid, msgbuf, SIZE, 0)) die("msgsnd");
	} else if (M == M_MQ) {
		if (mq_send(mq[d], buf, SIZE, 0)) die("mq_send");
	} else if (M == M_UDG) {
		if (send(fd[d][1], buf, SIZE, 0) != (ssize_t)SIZE) die("send");
	} else if (M == M_EVENTFD) {
		uint64_t one = 1;
		if (write(efd[d], &one, 8) != 8) die("eventfd write");
	} else if (M == M_SIGNAL) {
		kill(peer, SIGUSR1);
	} else if (M == M_SEMSHM) {
		sem_op(2 * d, -1);
		memcpy(mem + d * SIZE, buf, SIZE);
		sem_op(2 * d + 1, 1);
	} else {
		full_write(fd[d][1], buf, SIZE);
	}
}

static void recv_msg(int d) {
	if (M == M_RPC) {
		uint32_t msg[16];
		ssize_t n = recv(fd[d][0], msg, sizeof msg, 0);
		if (n < 24) die("rpc recv");
		if (d == 0) xid = ntohl(msg[0]); /* the server answers the xid it got */
		else if (ntohl(msg[0]) != xid || ntohl(msg[1]) != 1 || msg[5] != 0) { fprintf(stderr, "rpc: bad reply\n"); exit(1); }
	} else if (M == M_MSG) {
		if (msgrcv(msqid, msgbuf, SIZE, d + 1, 0) != (ssize_t)SIZE) die("msgrcv");
	} else if (M == M_MQ) {
		if (mq_receive(mq[d], buf, SIZE, 0) != (ssize_t)SIZE) die("mq_receive");
	} else if (M == M_UDG) {
		if (recv(fd[d][0], buf, SIZE, 0) != (ssize_t)SIZE) die("recv");
	} else if (M == M_EVENTFD) {
		uint64_t v;
		if (read(efd[d], &v, 8) != 8) die("eventfd read");
	} else if (M == M_SIGNAL) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		sigwaitinfo(&s, 0);
	} else if (M == M_SEMSHM) {
		sem_op(2 * d + 1, -1);
		memcpy(buf, mem + d * SIZE, SIZE);
		sem_op(2 * d, 1);
	} else {
		full_read(fd[d][0], buf, SIZE);
	}
}

/* goldsborough's shm and mmap: one buffer, one atomic guard byte ('s' for the server's
 * turn, 'c' for the client's). */
static void guard_wait(char want) {
	while (atomic_load((_Atomic char *)mem) != want)
		;
}

/* goldsborough times each round trip with timespec_get(TIME_UTC), the wall clock. */
static double wall_ns(void) {
	struct timespec ts;
	timespec_get(&ts, TIME_UTC);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double latency(const char *m, int cpu_parent) {
	int spin = !strcmp(m, "shm") || !strcmp(m, "mmap");
	/* goldsborough: each round trip timed, the mean; rigtorp: the loop's total / (2n). */
	int per_trip = spin || !strcmp(m, "msg");
	unsigned char *data = !strcmp(m, "mmap") ? mem : mem + 1; /* mmap/server.c:56; shm/server.c:57 */
	if (spin) *mem = 0;
	if ((peer = fork()) == 0) {
		peer = getppid();
		if (spin) atomic_store((_Atomic char *)mem, 's'); /* the client's first notify (mmap/client.c:38) */
		for (long i = 0; i < COUNT; i++) {
			if (spin) {
				guard_wait('c');
				memcpy(buf, data, SIZE);
				memset(data, '*', SIZE);
				atomic_store((_Atomic char *)mem, 's');
			} else {
				recv_msg(0);
				send_msg(1);
			}
		}
		_exit(0);
	}
	pin(cpu_parent);
	if (spin) guard_wait('s'); /* the server starts its clock once the client is there (shm/server.c:44, mmap/server.c:50) */
	double sum = 0, t0 = now_ns();
	for (long i = 0; i < COUNT; i++) {
		double t = per_trip ? wall_ns() : 0;
		if (spin) {
			memset(data, '*', SIZE);
			atomic_store((_Atomic char *)mem, 'c');
			guard_wait('s');
			memcpy(buf, data, SIZE);
		} else {
			send_msg(0);
			recv_msg(1);
		}
		if (per_trip) sum += wall_ns() - t;
	}
	double total = now_ns() - t0;
	waitpid(peer, 0, 0);
	return (per_trip ? sum : total) / COUNT / 2;
}

#include "anchors_ring.h" /* ring_throughput(): the shm and mmap throughput rows */

static double throughput(const char *m, int cpu_parent) {
	if (!strcmp(m, "shm") || !strcmp(m, "mmap")) return ring_throughput(m, cpu_parent);
	if ((peer = fork()) == 0) {
		for (long i = 0; i < COUNT; i++) recv_msg(0);
		_exit(0);
	}
	pin(cpu_parent);
	/* Every anchor stops its clock after its last write (rigtorp pipe_thr.c:109, detailyang
	 * fifo.c:74), not when the receiver has the last message: no wait() inside the clock. */
	double t0 = now_ns();
	for (long i = 0; i < COUNT; i++) send_msg(0);
	double t = now_ns() - t0;
	waitpid(peer, 0, 0);
	return COUNT / (t / 1e9);
}

int main(int argc, char **argv) {
	if (argc != 7) {
		fprintf(stderr, "usage: anchors MECH lat|thr SIZE COUNT CPU_PARENT CPU_CHILD\n");
		return 2;
	}
	const char *m = argv[1];
	int thr = !strcmp(argv[2], "thr");
	const char *kinds[] = {"eventfd", "mq", "msg", "rpc", "semshm", "signal", "udg"};
	for (int k = 0; k < (int)(sizeof kinds / sizeof *kinds); k++)
		if (!strcmp(m, kinds[k])) M = k + 1;
	SIZE = strtoul(argv[3], 0, 10);
	COUNT = strtol(argv[4], 0, 10);
	buf = malloc(SIZE ? SIZE : 1);
	msgbuf = calloc(1, sizeof(long) + SIZE);
	if (!buf || !msgbuf) die("malloc");
	memset(buf, '*', SIZE);
	if (!strcmp(m, "eventfd") || !strcmp(m, "signal") || !strcmp(m, "rpc")) thr = 0; /* no payload: latency only */
	atexit(cleanup);
	setup(m, thr);
	pin(atoi(argv[6])); /* the child's CPU before the fork, the parent's after, as ipclab */
	if (thr)
		printf("msgs_per_s %.0f\n", throughput(m, atoi(argv[5])));
	else
		printf("mean_one_way_ns %.0f\n", latency(m, atoi(argv[5])));
	return 0;
}
