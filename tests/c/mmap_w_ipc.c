/* mmap_w_ipc.c from the mmap notes (seed 003 二.2). As printed (no ftruncate: started on
   an empty temp it dies of SIGBUS), except: it stops after argv[1] rounds (default:
   never) and sleeps argv[2] ms (default 2000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/mman.h>
#include <fcntl.h>

int main(int argc, char *argv[])
{
    long rounds = argc > 1 ? atol(argv[1]) : -1, ms = argc > 2 ? atol(argv[2]) : 2000;
    int fd = open("temp", O_RDWR | O_CREAT, 0664);
    void* ptr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if(ptr == MAP_FAILED) { perror("mmap"); exit(1); }
    while(rounds != 0) {
        char*p = (char*)ptr;
        p += 1024;
        strcpy(p, "hello parent, i am your 朋友！！！\n");
        usleep(ms * 1000);
        if (rounds > 0) rounds--;
    }
    munmap(ptr, 4096);
    return 0;
}
