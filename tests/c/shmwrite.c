/* Algorithm 8-3 (shmwrite.c) as on the slide, polling every 10 ms, stopping at EOF too. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    void *shmptr; struct shared_struct *shared; int shmid; key_t key;
    char buffer[BUFSIZ + 1];
    if (argc < 2) { fprintf(stderr, "usage: shmwrite KEY\n"); return 2; }
    sscanf(argv[1], "%x", &key);
    printf("shmwrite: IPC key = %x\n", key);
    shmid = shmget((key_t)key, TEXT_NUM*sizeof(struct shared_struct), 0666|PERM);
    if (shmid == -1) ERR_EXIT("shmwrite: shmget()");
    shmptr = shmat(shmid, 0, 0);
    if (shmptr == (void *)-1) ERR_EXIT("shmwrite: shmat()");
    printf("shmwrite: shmid = %d\n", shmid);
    fflush(stdout);
    shared = (struct shared_struct *)shmptr;
    while (1) {
        while (*(volatile int *)&shared->written == 1) usleep(10000);
        printf("Enter some text: ");
        if (fgets(buffer, BUFSIZ, stdin) == NULL) strcpy(buffer, "end\n");
        strncpy(shared->mtext, buffer, TEXT_SIZE);
        printf("shared buffer: %s\n", shared->mtext);
        fflush(stdout);
        __sync_synchronize();
        shared->written = 1;
        if (strncmp(buffer, "end", 3) == 0) break;
    }
    if (shmdt(shmptr) == -1) ERR_EXIT("shmwrite: shmdt()");
    return 0;
}
