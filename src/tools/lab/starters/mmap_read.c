/* The mmap notes, mmap_r_ipc.c: the reader. `./mmap_read ROUNDS MS`. It maps ./temp and
 * prints the string at offset 1024 every MS ms, ROUNDS times. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    long rounds = argc > 1 ? atol(argv[1]) : -1, ms = argc > 2 ? atol(argv[2]) : 1000;
    int len = 4096;
    char *ptr = MAP_FAILED;

    /* TODO 1: open ./temp read-write (O_CREAT, 0664) and make sure it is 4096 bytes. */

    /* TODO 2: map len bytes of it, MAP_SHARED. */
    if (ptr == MAP_FAILED) { perror("mmap"); exit(1); }

    while (rounds != 0) {
        usleep(ms * 1000);
        /* TODO 3: print the string at ptr + 1024 and flush. */
        if (rounds > 0) rounds--;
    }
    /* TODO 4: unmap it. */
    (void)len;
    return 0;
}
