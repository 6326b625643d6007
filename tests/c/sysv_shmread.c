/* shmread.cpp of the shared-memory notes (seed 003, System V 使用案例), in C. */
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
    int shmid = shmget((key_t)1234, 0, 0);
    if (shmid == -1) ERR_EXIT("shmget");
    void *shm = shmat(shmid, 0, 0);
    if (shm == (void *)-1) ERR_EXIT("shmat");
    struct student *shared = (struct student*) shm;
    printf("student name: %s, age: %d\n", shared->name, shared->age);
    memcpy(shared, "quit", 4);
    if (shmdt(shm) == -1) ERR_EXIT("shmdt");
    return 0;
}
