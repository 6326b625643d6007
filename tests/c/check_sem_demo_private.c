/* Broken on purpose for `ipclab check sem-demo`: the demo with an IPC_PRIVATE set (no key
 * at all) that is never removed. It orders the two lines right, and the set stays behind:
 * fails `no-leak` (found by the pid of its last semop, not by a key). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/sem.h>
#include <sys/wait.h>
int main(int argc, char *argv[])
{
    int ms = argc > 1 ? atoi(argv[1]) : 2000, id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    struct sembuf v = { 0, 1, 0 }, p = { 0, -1, 0 };
    if (id == -1) { perror("semget"); return 1; }
    pid_t pid = fork();
    if (pid == 0) {
        usleep(ms * 1000);
        printf("Process child: pid=%d\n", getpid());
        fflush(stdout);
        semop(id, &v, 1);
        _exit(0);
    }
    semop(id, &p, 1);
    printf("Process father: pid=%d\n", getpid());
    fflush(stdout);
    waitpid(pid, 0, 0);
    return 0;   /* no semctl(id, 0, IPC_RMID) */
}
