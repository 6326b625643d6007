/* The mmap notes, mmap_w_ipc.c: the writer. `./mmap_write ROUNDS MS`. It maps ./temp (4096
 * bytes: make it so when it is shorter, or the reader's first look dies of SIGBUS) and
 * writes its greeting at offset 1024 every MS ms, ROUNDS times. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    long rounds = argc > 1 ? atol(argv[1]) : -1, ms = argc > 2 ? atol(argv[2]) : 2000;
    char *ptr = MAP_FAILED;

    /* TODO 1: open ./temp read-write, creating it (0664); if it is shorter than 4096
     *         bytes, ftruncate it to 4096. */

    /* TODO 2: map its 4096 bytes, readable and writable, MAP_SHARED. */
    if (ptr == MAP_FAILED) { perror("mmap"); exit(1); }

    for (; rounds != 0; rounds > 0 ? rounds-- : 0) {
        strcpy(ptr + 1024, "hello parent, i am your 朋友！！！\n");
        usleep(ms * 1000);
    }
    /* TODO 3: unmap it. */
    return 0;
}
