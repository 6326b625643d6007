/* BROKEN on purpose (for `ipclab check shmwrite`): algorithm 8-3 without the wait for the
 * reader (`while (written == 1) sleep(1);`): each line overwrites the last before the reader
 * has printed it. Fails `data` (and `repeat`). */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    struct shared_struct *shared; int shmid; key_t key; char buffer[BUFSIZ + 1];
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    printf("shmwrite: IPC key = %x\n", key);
    shmid = shmget(key, TEXT_NUM*sizeof(struct shared_struct), 0666|PERM);
    if (shmid == -1) ERR_EXIT("shmget()");
    shared = shmat(shmid, 0, 0);
    if (shared == (void *)-1) ERR_EXIT("shmat()");
    printf("shmwrite: shmid = %d\n", shmid);
    while (1) {
        printf("Enter some text: ");
        if (fgets(buffer, BUFSIZ, stdin) == NULL) strcpy(buffer, "end\n");
        strncpy(shared->mtext, buffer, TEXT_SIZE);
        printf("shared buffer: %s\n", shared->mtext);
        fflush(stdout);
        __sync_synchronize();
        shared->written = 1; /* the hazard: the reader may not have taken the last one */
        if (strncmp(buffer, "end", 3) == 0) break;
    }
    shmdt(shared);
    return 0;
}
