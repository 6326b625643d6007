/* A correct writer for `ipclab check mmap-write`: mmap_w_ipc.c (the mmap notes) that makes
 * ./temp 4096 bytes when it is shorter (started first, the seed's writer dies of SIGBUS),
 * and stops after ROUNDS (argv[1]) rounds of MS (argv[2]) ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
int main(int argc, char *argv[])
{
    long rounds = argc > 1 ? atol(argv[1]) : -1, ms = argc > 2 ? atol(argv[2]) : 2000;
    struct stat st;
    int fd = open("temp", O_RDWR | O_CREAT, 0664);
    if (fd == -1 || fstat(fd, &st) == -1) { perror("temp"); exit(1); }
    if (st.st_size < 4096 && ftruncate(fd, 4096) == -1) { perror("ftruncate"); exit(1); }
    char *ptr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ptr == MAP_FAILED) { perror("mmap"); exit(1); }
    for (; rounds != 0; rounds > 0 ? rounds-- : 0) {
        strcpy(ptr + 1024, "hello parent, i am your 朋友！！！\n");
        usleep(ms * 1000);
    }
    munmap(ptr, 4096);
    return 0;
}
