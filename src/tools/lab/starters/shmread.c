/* Algorithm 8-2 (alg.8-2-shmread.c): the reader. `./shmread KEY` (KEY in hex). It
 * attaches the segment, prints each text the writer hands over ("You wrote: ..."), gives
 * the slot back, and stops after `end`. */
#include "shmdata.h"

int main(int argc, char *argv[])
{
    void *shmptr = (void *)-1;
    struct shared_struct *shared;
    int shmid = -1;
    key_t key;

    if (argc < 2) { fprintf(stderr, "usage: shmread KEY\n"); return 2; }
    sscanf(argv[1], "%x", &key);
    printf("%*sshmread: IPC key = %x\n", 30, " ", key);

    /* TODO 1: get the segment of KEY: shmget(key, TEXT_NUM * sizeof(struct shared_struct),
     *         0666|PERM). */
    if (shmid == -1) ERR_EXIT("shread: shmget()");

    /* TODO 2: attach it (shmat) and keep the address in shmptr. */
    if (shmptr == (void *)-1) ERR_EXIT("shread: shmat()");
    printf("%*sshmread: shmid = %d\n", 30, " ", shmid);
    printf("%*sshmread process ready ...\n", 30, " ");
    fflush(stdout);

    shared = (struct shared_struct *)shmptr;
    while (1) {
        /* TODO 3: wait until the writer has written (shared->written becomes 1), reading
         *         it through a volatile pointer and sleeping a little in the loop; then
         *         print "You wrote: <text>" as the slide does, flush, and give the slot
         *         back (written = 0). */

        if (strncmp(shared->mtext, "end", 3) == 0) break;
    }

    /* TODO 4: detach the segment (shmdt). */
    return 0;
}
