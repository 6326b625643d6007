/* Algorithm 8-6 (shmconsumer.c) as on the slide. */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include "shmdata.h"
int main(int argc, char *argv[])
{
    int fd, shmsize; void *shmptr;
    if (argc < 2) return 2;
    fd = shm_open(argv[1], O_RDONLY, 0444);
    if (fd == -1) ERR_EXIT("consumer: shm_open()");
    shmsize = TEXT_NUM*sizeof(struct shared_struct);
    shmptr = (char *)mmap(0, shmsize, PROT_READ, MAP_SHARED, fd, 0);
    if (shmptr == (void *)-1) ERR_EXIT("consumer: mmap()");
    printf("consumed message: %s\n", (char *)shmptr);
    return EXIT_SUCCESS;
}
