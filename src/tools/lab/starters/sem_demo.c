/* IPC全解析 四, the semaphore demo. `./sem_demo MS`. A set of one semaphore at 0 (key
 * ftok(".", 'z')); the child sleeps MS milliseconds, prints its line and does V; the
 * father does P, so it prints its line only after the child. The father waits for the
 * child and removes the set, also after Ctrl-C. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/sem.h>
#include <sys/wait.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };
static void note(int sig) { (void)sig; }

/* One operation on semaphore 0 of set `id`: op -1 is P, +1 is V. */
static int sem_op(int id, int op, int flg)
{
    /* TODO 2: struct sembuf b = { 0, op, flg }; return semop(id, &b, 1); */
    (void)id; (void)op; (void)flg;
    return 0;
}

int main(int argc, char *argv[])
{
    int sem_id = -1, ms = argc > 1 ? atoi(argv[1]) : 2000;
    key_t key = -1;
    pid_t pid;
    struct sigaction sa = { .sa_handler = note };

    /* TODO 1: the key ftok(".", 'z'); the set: semget(key, 1, IPC_CREAT|0600); its value:
     *         semctl(sem_id, 0, SETVAL, (union semun){ .val = 0 }). */
    if (key < 0) { perror("ftok error"); exit(1); }
    if (sem_id == -1) { perror("semget error"); exit(1); }

    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    if ((pid = fork()) == -1) { perror("Fork Error"); exit(1); }
    if (pid == 0) {
        usleep(ms * 1000);
        printf("Process child: pid=%d\n", getpid());
        fflush(stdout);
        /* TODO 3: V (no SEM_UNDO: the child's exit would take it back). */
        _exit(0);
    }
    int rc = 0;
    /* TODO 4: P before the father's line (SEM_UNDO), and V after it. */
    printf("Process father: pid=%d\n", getpid());
    fflush(stdout);

    while (waitpid(pid, 0, 0) == -1 && errno == EINTR)
        ;
    /* TODO 5: remove the set (semctl IPC_RMID). */
    (void)sem_op;
    return rc;
}
