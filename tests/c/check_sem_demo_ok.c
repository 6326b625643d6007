/* A correct program for `ipclab check sem-demo`: the blog's semaphore demo (IPC全解析 四)
 * with its hazards fixed: the child flushes its line before V (stdout may be a file); the
 * child's V has no SEM_UNDO (its exit would take the V back); the father waits for its
 * child and removes the set even after Ctrl-C; argv[1] is the child's sleep in ms. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/sem.h>
#include <sys/wait.h>
union semun { int val; struct semid_ds *buf; unsigned short *array; };
static void note(int sig) { (void)sig; }
static int sem_op(int id, int op, int flg)
{
    struct sembuf b = { 0, op, flg };
    return semop(id, &b, 1);
}
int main(int argc, char *argv[])
{
    int sem_id, ms = argc > 1 ? atoi(argv[1]) : 2000; key_t key; pid_t pid; union semun v = { 0 };
    struct sigaction sa = { .sa_handler = note };
    if ((key = ftok(".", 'z')) < 0) { perror("ftok error"); exit(1); }
    if ((sem_id = semget(key, 1, IPC_CREAT|0600)) == -1) { perror("semget error"); exit(1); }
    if (semctl(sem_id, 0, SETVAL, v) == -1) { perror("Init Semaphore Error"); exit(1); }
    sigaction(SIGINT, &sa, 0); sigaction(SIGTERM, &sa, 0);
    if ((pid = fork()) == -1) { perror("Fork Error"); semctl(sem_id, 0, IPC_RMID); exit(1); }
    if (pid == 0) {
        usleep(ms * 1000);
        printf("Process child: pid=%d\n", getpid());
        fflush(stdout);
        sem_op(sem_id, 1, 0);
        _exit(0);
    }
    int rc = 0;
    if (sem_op(sem_id, -1, SEM_UNDO) == -1) { perror("P operation Error"); rc = 1; }
    else {
        printf("Process father: pid=%d\n", getpid());
        fflush(stdout);
        sem_op(sem_id, 1, SEM_UNDO);
    }
    while (waitpid(pid, 0, 0) == -1 && errno == EINTR) ;
    semctl(sem_id, 0, IPC_RMID);
    return rc;
}
