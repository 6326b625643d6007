/* BROKEN on purpose (for `ipclab check shmread`): algorithm 8-2 waiting on the `written`
 * flag in a plain loop on a plain int. At -O2 the compiler may load the flag once and spin
 * for ever: the slide's "-O2 hang" (LECTURE-NOTES). Fails `end` (and `cpu`). */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    struct shared_struct *shared; int shmid; key_t key;
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    printf("%*sshmread: IPC key = %x\n", 30, " ", key);
    shmid = shmget(key, TEXT_NUM*sizeof(struct shared_struct), 0666|PERM);
    if (shmid == -1) ERR_EXIT("shmget()");
    shared = shmat(shmid, 0, 0);
    if (shared == (void *)-1) ERR_EXIT("shmat()");
    printf("%*sshmread: shmid = %d\n", 30, " ", shmid);
    printf("%*sshmread process ready ...\n", 30, " ");
    fflush(stdout);
    while (1) {
        while (shared->written == 0) ; /* the hazard: no volatile, no sleep */
        printf("%*sYou wrote: %s\n", 30, " ", shared->mtext);
        fflush(stdout);
        shared->written = 0;
        if (strncmp(shared->mtext, "end", 3) == 0) break;
    }
    shmdt(shared);
    return 0;
}
