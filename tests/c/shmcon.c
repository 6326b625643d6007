/* Algorithm 8-1 (alg.8-1-shmcon.c) as on the slide. Changed only to compile: `0_RDWR` is
   O_RDWR, `shmidx` is shmid, the includes the slide's fragments leave out; and a vfork
   child whose execv fails calls _exit(127) instead of returning into its parent's frame.
   It runs ./alg.8-2-shmread.o and ./alg.8-3-shmwrite.o from the current directory, with
   argv[0] = " ": `ipclab links --seed-names .` makes those names run ipclab's. */
#include <fcntl.h>
#include <sys/wait.h>
#include "shmdata.h"

int main(int argc, char *argv[])
{
    struct stat fileattr;
    key_t key;
    int shmid;
    void *shmptr;
    struct shared_struct *shared;
    pid_t childpid1, childpid2;
    char pathname[80], key_str[10], cmd_str[80];
    int shmsize, ret;

    shmsize = TEXT_NUM*sizeof(struct shared_struct);
    printf("max record number = %d, shm size = %d\n", TEXT_NUM, shmsize);
    if(argc <2) {
        printf("Usage: ./a.out pathname\n");
        return EXIT_FAILURE;
    }
    strcpy(pathname, argv[1]);
    if(stat(pathname, &fileattr) == -1) {
        ret = creat(pathname, O_RDWR);
        if (ret == -1) {
            ERR_EXIT("creat()");
        }
        printf("shared file object created\n");
    }
    key = ftok(pathname, 0x27);
    if(key == -1) {
        ERR_EXIT("shmcon: ftok()");
    }
    printf("key generated: IPC key = %x\n", key);
    shmid = shmget((key_t)key, shmsize, 0666|PERM);
    if(shmid == -1) {
        ERR_EXIT("shmcon: shmget()");
    }
    printf("shmcon: shmid = %d\n", shmid);
    shmptr = shmat(shmid, 0, 0);
    if(shmptr == (void *)-1) {
        ERR_EXIT("shmcon: shmat()");
    }
    printf("shmcon: shared Memory attached at %p\n", shmptr);
    shared = (struct shared_struct *)shmptr;
    shared->written = 0;
    sprintf(cmd_str, "ipcs -m | grep '%d'\n", shmid);
    printf("\n----- Shared Memory Segments ----- \n");
    system(cmd_str);
    if(shmdt(shmptr) == -1) {
        ERR_EXIT("shmcon: shmdt()");
    }
    printf("\n----- Shared Memory Segments ----- \n");
    system(cmd_str);
    sprintf(key_str, "%x", key);
    char *argv1[] = {" ", key_str, 0};
    childpid1 = vfork();
    if(childpid1 < 0) {
        ERR_EXIT("shmcon: 1st vfork()");
    }
    else if(childpid1 == 0) {
        execv("./alg.8-2-shmread.o", argv1);
        _exit(127);
    }
    else {
        childpid2 = vfork();
        if(childpid2 < 0) {
            ERR_EXIT("shmcon: 2nd vfork()");
        }
        else if (childpid2 == 0) {
            execv("./alg.8-3-shmwrite.o", argv1);
            _exit(127);
        }
        else {
            wait(&childpid1);
            wait(&childpid2);
            if (shmctl(shmid, IPC_RMID, 0) == -1) {
                ERR_EXIT("shmcon: shmctl(IPC_RMID)");
            }
            else {
                printf("shmcon: shmid = %d removed \n", shmid);
                printf("\n----- Shared Memory Segments ----- \n");
                system(cmd_str);
                printf("nothing found ... \n");
                return EXIT_SUCCESS;
            }
        }
    }
}
