/* A correct controller for `ipclab check shmcon`: algorithm 8-1 (alg.8-1-shmcon.c) with
 * what the slide leaves out: Ctrl-C or SIGTERM while the children run still waits for them
 * and removes the segment (the handler only notes the signal; the group's children get it
 * too and end). Without the `ipcs` calls (their output is not part of the check). */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include "shmdata.h"

static volatile sig_atomic_t stop;
static void note(int sig) { stop = sig; }

int main(int argc, char *argv[])
{
    key_t key; int shmid, shmsize = TEXT_NUM*sizeof(struct shared_struct);
    struct shared_struct *shared; pid_t kids[2]; char key_str[16];
    struct sigaction sa = { .sa_handler = note };
    if (argc < 2) { printf("Usage: ./a.out pathname\n"); return EXIT_FAILURE; }
    sigaction(SIGINT, &sa, 0); sigaction(SIGTERM, &sa, 0);
    printf("max record number = %d, shm size = %d\n", TEXT_NUM, shmsize);
    if ((key = ftok(argv[1], 0x27)) == -1) ERR_EXIT("shmcon: ftok()");
    printf("key generated: IPC key = %x\n", key);
    if ((shmid = shmget(key, shmsize, 0600|IPC_CREAT)) == -1) ERR_EXIT("shmcon: shmget()");
    printf("shmcon: shmid = %d\n", shmid);
    if ((shared = shmat(shmid, 0, 0)) == (void *)-1) ERR_EXIT("shmcon: shmat()");
    shared->written = 0;
    shmdt(shared);
    fflush(stdout);
    sprintf(key_str, "%x", key);
    char *argv1[] = {" ", key_str, 0};
    const char *paths[2] = {"./alg.8-2-shmread.o", "./alg.8-3-shmwrite.o"};
    for (int i = 0; i < 2; i++) {
        if ((kids[i] = vfork()) < 0) ERR_EXIT("shmcon: vfork()");
        if (kids[i] == 0) { execv(paths[i], argv1); _exit(127); }
    }
    for (int i = 0; i < 2; i++)
        while (waitpid(kids[i], 0, 0) == -1 && errno == EINTR) ;
    if (shmctl(shmid, IPC_RMID, 0) == -1) ERR_EXIT("shmcon: shmctl(IPC_RMID)");
    printf("shmcon: shmid = %d removed \n", shmid);
    return stop ? 128 + stop : EXIT_SUCCESS;
}
