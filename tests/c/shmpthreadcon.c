/* Algorithm 8-4 (alg.8-4-shmpthreadcon.c) as on the slide, plus the includes it leaves
   out and _exit(127) after a failed execv. It runs ./alg.8-5-shmproducer.o and
   ./alg.8-6-shmconsumer.o from the current directory, with argv[0] = " ". */
#include <fcntl.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include "shmdata.h"

int main(int argc, char *argv[])
{
    int fd, shmsize, ret;
    pid_t childpid1, childpid2;

    if(argc < 2) {
        printf("Usage: ./a.out filename\n");
        return EXIT_FAILURE;
    }
    fd = shm_open(argv[1], O_CREAT|O_RDWR, 0666);
    if(fd == -1) {
        ERR_EXIT("con: shm_open()");
    }
    system("ls -l /dev/shm/");
    shmsize = TEXT_NUM*sizeof(struct shared_struct);
    ret = ftruncate(fd, shmsize);
    if(ret == -1) {
        ERR_EXIT("con: ftruncate()");
    }
    char *argv1[] = {" ", argv[1], 0};
    childpid1 = vfork();
    if(childpid1 < 0) {
        ERR_EXIT("shmpthreadcon: 1st vfork()");
    }
    else if(childpid1 == 0) {
        execv("./alg.8-5-shmproducer.o", argv1);
        _exit(127);
    }
    else {
        childpid2 = vfork();
        if(childpid2 < 0)
            ERR_EXIT("shmpthreadcon: 2nd vfork()");
        else if (childpid2 == 0) {
            execv("./alg.8-6-shmconsumer.o", argv1);
            _exit(127);
        }
        else {
            wait(&childpid1);
            wait(&childpid2);
            ret = shm_unlink(argv1[1]);
            if(ret == -1) {
                ERR_EXIT("con: shm_unlink()");
            }
            system("ls -l /dev/shm/");
        }
    }
    exit(EXIT_SUCCESS);
}
