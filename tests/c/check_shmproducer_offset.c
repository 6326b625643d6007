/* Broken on purpose for `ipclab check shmproducer`: it writes the message into
 * `shared->mtext` (offset 4, the struct of 8-0) while 8-6's consumer reads the C string at
 * offset 0, so the message never arrives: fails `data`. */
#include <fcntl.h>
#include <sys/mman.h>
#include "shmdata.h"
int main(int argc, char *argv[])
{
    int fd; struct shared_struct *shared;
    if (argc < 2) return 2;
    if ((fd = shm_open(argv[1], O_RDWR, 0666)) == -1) ERR_EXIT("producer: shm_open()");
    shared = mmap(0, sizeof *shared, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
    if (shared == MAP_FAILED) ERR_EXIT("producer: mmap()");
    strcpy(shared->mtext, "Hello World!");
    printf("produced message: %s\n", shared->mtext);
    return EXIT_SUCCESS;
}
