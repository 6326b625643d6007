/* Algorithm 8-3 (alg.8-3-shmwrite.c): the writer. `./shmwrite KEY` (KEY in hex, as
 * alg.8-1-shmcon.c passes it). It reads lines from stdin and hands each one to the reader
 * through the segment, waiting while the reader has not taken the last one; `end` (or the
 * end of the input) is passed on too, and then it stops. */
#include "shmdata.h"

int main(int argc, char *argv[])
{
    void *shmptr = (void *)-1;
    struct shared_struct *shared;
    int shmid = -1;
    key_t key;
    char buffer[BUFSIZ + 1];

    if (argc < 2) { fprintf(stderr, "usage: shmwrite KEY\n"); return 2; }
    sscanf(argv[1], "%x", &key);
    printf("shmwrite: IPC key = %x\n", key);

    /* TODO 1: get the segment of KEY: shmget() with the size of TEXT_NUM structs and
     *         0666|PERM, as the reader does. */
    if (shmid == -1) ERR_EXIT("shmwrite: shmget()");

    /* TODO 2: attach it (shmat) and keep the address in shmptr. */
    if (shmptr == (void *)-1) ERR_EXIT("shmwrite: shmat()");
    printf("shmwrite: shmid = %d\n", shmid);
    fflush(stdout);

    shared = (struct shared_struct *)shmptr;
    while (1) {
        /* TODO 3: wait while the reader has not taken the last text (shared->written is
         *         still 1). Read the flag through a volatile pointer, and sleep a little
         *         in the loop. */

        printf("Enter some text: ");
        if (fgets(buffer, BUFSIZ, stdin) == NULL) strcpy(buffer, "end\n");

        /* TODO 4: copy the text into shared->mtext, then (and only then) set
         *         shared->written to 1. */
        printf("shared buffer: %s\n", shared->mtext);
        fflush(stdout);

        if (strncmp(buffer, "end", 3) == 0) break;
    }

    /* TODO 5: detach the segment (shmdt). The controller removes it, not the writer. */
    return 0;
}
