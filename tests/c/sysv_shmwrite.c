/* shmwrite.cpp of the shared-memory notes (seed 003, System V 使用案例), in C. The wait
   is the seed's plain loop: built with -O0 it works; with -O2 it never ends (the lesson). */
#include <unistd.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define ERR_EXIT(m) do { perror(m); exit(EXIT_FAILURE); } while (0)

struct student { char name[32]; int age; };

int main(int argc, char** argv)
{
    int shmid = shmget((key_t)1234, sizeof(struct student), 0666 | IPC_CREAT);
    if (shmid == -1) ERR_EXIT("shmget");
    void *shm = shmat(shmid, NULL, 0);
    if (shm == (void *)-1) ERR_EXIT("shmat");
    struct student *shared = (struct student*) shm;
    strcpy(shared->name, "hello");
    shared->age = 20;
    while (1) {
        if (memcmp(shared->name, "quit", 4) == 0) break;
    }
    if (shmdt(shm) == -1) ERR_EXIT("shmdt");
    shmctl(shmid, IPC_RMID, 0);
    return 0;
}
