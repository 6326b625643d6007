/* A correct consumer for `ipclab check shmconsumer`: algorithm 8-6, waiting (polling every
 * millisecond, up to 5 s) until the producer's message is there instead of reading at
 * once: no race with the producer, whichever runs first. Passes every check. */
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include "shmdata.h"
int main(int argc, char *argv[])
{
    int fd, shmsize; char *shmptr;
    if (argc < 2) return 2;
    fd = shm_open(argv[1], O_RDONLY, 0444);
    if (fd == -1) ERR_EXIT("consumer: shm_open()");
    shmsize = TEXT_NUM*sizeof(struct shared_struct);
    shmptr = mmap(0, shmsize, PROT_READ, MAP_SHARED, fd, 0);
    if (shmptr == MAP_FAILED) ERR_EXIT("consumer: mmap()");
    /* The producer stores the first word last: a nonzero first byte means it is all there. */
    for (int i = 0; i < 5000 && atomic_load((_Atomic char *)shmptr) == 0; i++) usleep(1000);
    if (shmptr[0] == 0) { fprintf(stderr, "consumer: no message in 5 s\n"); return 1; }
    printf("consumed message: %s\n", shmptr);
    return EXIT_SUCCESS;
}
