/* Seed 002 五 server (shm + sem + msg, key ftok(".", 'z')), with the pointer test fixed. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/msg.h>
struct msg_form { long mtype; char mtext; };
union semun { int val; };
static int sem_op(int id, int op) { struct sembuf b = {0, op, SEM_UNDO}; return semop(id, &b, 1); }
int main(void)
{
    key_t key; int shmid, semid, msqid; char *shm; struct msg_form msg; union semun u;
    if ((key = ftok(".", 'z')) < 0) { perror("ftok error"); exit(1); }
    if ((shmid = shmget(key, 1024, IPC_CREAT|0666)) == -1) { perror("Create Shared Memory Error"); exit(1); }
    shm = (char *)shmat(shmid, 0, 0);
    if (shm == (void *)-1) { perror("Attach Shared Memory Error"); exit(1); }
    if ((msqid = msgget(key, IPC_CREAT|0777)) == -1) { perror("msgget error"); exit(1); }
    if ((semid = semget(key, 1, IPC_CREAT|0666)) == -1) { perror("semget error"); exit(1); }
    u.val = 1; semctl(semid, 0, SETVAL, u);
    while (1) {
        if (msgrcv(msqid, &msg, 1, 888, 0) < 0) { perror("msgrcv"); break; }
        if (msg.mtext == 'q') break;
        if (msg.mtext == 'r') { sem_op(semid, -1); printf("%s\n", shm); fflush(stdout); sem_op(semid, 1); }
    }
    shmdt(shm);
    shmctl(shmid, IPC_RMID, 0); msgctl(msqid, IPC_RMID, 0); semctl(semid, 0, IPC_RMID);
    return 0;
}
