/* Algorithm 8-2 (shmread.c) as on the slide, polling every 10 ms instead of 1 s so tests are quick. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    void *shmptr; struct shared_struct *shared; int shmid; key_t key;
    if (argc < 2) { fprintf(stderr, "usage: shmread KEY\n"); return 2; }
    sscanf(argv[1], "%x", &key);
    printf("%*sshmread: IPC key = %x\n", 30, " ", key);
    shmid = shmget((key_t)key, TEXT_NUM*sizeof(struct shared_struct), 0666|PERM);
    if (shmid == -1) ERR_EXIT("shread: shmget()");
    shmptr = shmat(shmid, 0, 0);
    if (shmptr == (void *)-1) ERR_EXIT("shread: shmat()");
    printf("%*sshmread: shmid = %d\n", 30, " ", shmid);
    printf("%*sshmread process ready ...\n", 30, " ");
    fflush(stdout);
    shared = (struct shared_struct *)shmptr;
    while (1) {
        while (*(volatile int *)&shared->written == 0) usleep(10000);
        printf("%*sYou wrote: %s\n", 30, " ", shared->mtext);
        fflush(stdout);
        shared->written = 0;
        if (strncmp(shared->mtext, "end", 3) == 0) break;
    }
    if (shmdt(shmptr) == -1) ERR_EXIT("shmread: shmdt()");
    return 0;
}
