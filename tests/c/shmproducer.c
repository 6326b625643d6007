/* Algorithm 8-5 (shmproducer.c) as on the slide. */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include "shmdata.h"
int main(int argc, char *argv[])
{
    int fd, shmsize; void *shmptr; const char *message_0 = "Hello World!";
    if (argc < 2) return 2;
    fd = shm_open(argv[1], O_RDWR, 0666);
    if (fd == -1) ERR_EXIT("producer: shm_open()");
    shmsize = TEXT_NUM*sizeof(struct shared_struct);
    shmptr = (char *)mmap(0, shmsize, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
    if (shmptr == (void *)-1) ERR_EXIT("producer: mmap()");
    sprintf(shmptr, "%s", message_0);
    printf("produced message: %s\n", (char *)shmptr);
    return EXIT_SUCCESS;
}
