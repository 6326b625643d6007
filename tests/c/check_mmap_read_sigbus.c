/* Broken on purpose for `ipclab check mmap-read`: mmap_r_ipc.c without its ftruncate. Run
 * first (as the notes say), it maps 4096 bytes of an empty ./temp and dies of SIGBUS at its
 * first read: fails `end` (and `data`). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <fcntl.h>
int main(int argc, char *argv[])
{
    long rounds = argc > 1 ? atol(argv[1]) : -1, ms = argc > 2 ? atol(argv[2]) : 1000;
    int fd = open("temp", O_RDWR | O_CREAT, 0664);
    char *ptr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ptr == MAP_FAILED) { perror("mmap"); exit(1); }
    for (; rounds != 0; rounds > 0 ? rounds-- : 0) {
        printf("%s\n", ptr + 1024);
        fflush(stdout);
        usleep(ms * 1000);
    }
    return 0;
}
