/* Algorithm 8-6 (alg.8-6-shmconsumer.c): the POSIX consumer. `./shmconsumer NAME`. It maps
 * the object NAME read-only and prints the producer's message. The slide reads at once;
 * here the producer may not have written yet: wait (a little at a time, a few seconds at
 * most) until the first byte is not 0. */
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include "shmdata.h"

int main(int argc, char *argv[])
{
    int fd = -1, shmsize = TEXT_NUM * sizeof(struct shared_struct);
    char *shmptr = MAP_FAILED;

    if (argc < 2) return 2;

    /* TODO 1: open the object read-only: shm_open(argv[1], O_RDONLY, 0444). */
    if (fd == -1) ERR_EXIT("consumer: shm_open()");

    /* TODO 2: map shmsize bytes of it, PROT_READ, MAP_SHARED. */
    if (shmptr == MAP_FAILED) ERR_EXIT("consumer: mmap()");

    /* TODO 3: wait until shmptr[0] != 0 (atomic_load, usleep(1000) between looks, at most
     *         5 s), and fail with a message if nothing came. */

    printf("consumed message: %s\n", shmptr);
    return EXIT_SUCCESS;
}
