/* Algorithm 8-5 (alg.8-5-shmproducer.c): the POSIX producer. `./shmproducer NAME`. The
 * controller made the object NAME (shm_open + ftruncate); the producer opens it, maps it
 * and writes "Hello World!" at its start. */
#include <fcntl.h>
#include <sys/mman.h>
#include "shmdata.h"

int main(int argc, char *argv[])
{
    int fd = -1, shmsize = TEXT_NUM * sizeof(struct shared_struct);
    void *shmptr = MAP_FAILED;
    const char *message_0 = "Hello World!";

    if (argc < 2) return 2;

    /* TODO 1: open the object: shm_open(argv[1], O_RDWR, 0666). */
    if (fd == -1) ERR_EXIT("producer: shm_open()");

    /* TODO 2: map shmsize bytes of it, readable and writable, shared (mmap). */
    if (shmptr == MAP_FAILED) ERR_EXIT("producer: mmap()");

    /* TODO 3: write message_0 at the start of the mapping (sprintf). */
    (void)message_0;
    printf("produced message: %s\n", (char *)shmptr);
    return EXIT_SUCCESS;
}
