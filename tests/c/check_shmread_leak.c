/* BROKEN on purpose (for `ipclab check shmread`): a correct reader that also makes a
 * private segment of its own (a "log") and never removes it. Fails `no-leak`. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    struct shared_struct *shared; int shmid; key_t key;
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    if (shmget(IPC_PRIVATE, 4096, 0600) == -1) ERR_EXIT("shmget(IPC_PRIVATE)"); /* the hazard */
    printf("%*sshmread: IPC key = %x\n", 30, " ", key);
    shmid = shmget(key, TEXT_NUM*sizeof(struct shared_struct), 0666|PERM);
    if (shmid == -1) ERR_EXIT("shmget()");
    shared = shmat(shmid, 0, 0);
    if (shared == (void *)-1) ERR_EXIT("shmat()");
    printf("%*sshmread: shmid = %d\n", 30, " ", shmid);
    printf("%*sshmread process ready ...\n", 30, " ");
    fflush(stdout);
    while (1) {
        while (*(volatile int *)&shared->written == 0) usleep(10000);
        printf("%*sYou wrote: %s\n", 30, " ", shared->mtext);
        fflush(stdout);
        shared->written = 0;
        if (strncmp(shared->mtext, "end", 3) == 0) break;
    }
    shmdt(shared);
    return 0;
}
