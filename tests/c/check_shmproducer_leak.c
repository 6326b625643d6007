/* Broken on purpose for `ipclab check shmproducer`: the slide's producer, plus a POSIX object
 * of its own (NAME-mine, for its notes) that it maps and never unlinks: /dev/shm keeps it
 * after it ends. Fails exactly `no-leak` (found because it was seen mapped). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include "shmdata.h"
int main(int argc, char *argv[])
{
    char mine[256];
    if (argc < 2) return 2;
    int fd = shm_open(argv[1], O_RDWR, 0666);
    if (fd == -1) ERR_EXIT("producer: shm_open()");
    char *shmptr = mmap(0, TEXT_NUM*sizeof(struct shared_struct), PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
    if (shmptr == MAP_FAILED) ERR_EXIT("producer: mmap()");
    snprintf(mine, sizeof mine, "%s-mine", argv[1]);
    int own = shm_open(mine, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (own == -1 || ftruncate(own, 4096) == -1) ERR_EXIT("producer: its own object");
    char *notes = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, own, 0);
    if (notes == MAP_FAILED) ERR_EXIT("producer: mmap(own)");
    sprintf(shmptr, "%s", "Hello World!");
    sprintf(notes, "produced at least once");
    printf("produced message: %s\n", shmptr);
    fflush(stdout);
    usleep(200000);   /* its other work; the object is never unlinked */
    return EXIT_SUCCESS;
}
