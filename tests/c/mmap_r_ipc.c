/* mmap_r_ipc.c from the mmap notes (seed 003 二.2). As printed, except: it stops after
   argv[1] rounds (default: never) and sleeps argv[2] ms (default 1000), so tests end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/mman.h>
#include <fcntl.h>

int main(int argc, char *argv[])
{
    long rounds = argc > 1 ? atol(argv[1]) : -1, ms = argc > 2 ? atol(argv[2]) : 1000;
    int fd = open("temp", O_RDWR | O_CREAT, 0664);
    ftruncate(fd, 4096);
    int len = lseek(fd, 0, SEEK_END);
    void* ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if(ptr == MAP_FAILED) { perror("mmap"); exit(1); }
    while(rounds != 0) {
        usleep(ms * 1000);
        printf("%s\n", (char*)ptr+1024);
        fflush(stdout);
        if (rounds > 0) rounds--;
    }
    munmap(ptr, len);
    return 0;
}
