/* Seed 002 五 client, with EOF acting as q and a bounded scanf. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/msg.h>
struct msg_form { long mtype; char mtext; };
static int sem_op(int id, int op) { struct sembuf b = {0, op, SEM_UNDO}; return semop(id, &b, 1); }
int main(void)
{
    key_t key; int shmid, semid, msqid, c; char *shm; struct msg_form msg; int flag = 1;
    if ((key = ftok(".", 'z')) < 0) { perror("ftok error"); exit(1); }
    if ((shmid = shmget(key, 1024, 0)) == -1) { perror("shmget error"); exit(1); }
    shm = (char *)shmat(shmid, 0, 0);
    if (shm == (void *)-1) { perror("Attach Shared Memory Error"); exit(1); }
    if ((msqid = msgget(key, 0)) == -1) { perror("msgget error"); exit(1); }
    if ((semid = semget(key, 0, 0)) == -1) { perror("semget error"); exit(1); }
    while (flag) {
        printf("Please input command: ");
        c = getchar();
        if (c == EOF) c = 'q';
        switch (c) {
        case 'r':
            printf("Data to send:");
            sem_op(semid, -1); if (scanf("%1023s", shm) != 1) shm[0] = 0; sem_op(semid, 1);
            while ((c = getchar()) != '\n' && c != EOF);
            msg.mtype = 888; msg.mtext = 'r'; msgsnd(msqid, &msg, sizeof(msg.mtext), 0);
            break;
        case 'q':
            msg.mtype = 888; msg.mtext = 'q'; msgsnd(msqid, &msg, sizeof(msg.mtext), 0);
            flag = 0; break;
        default:
            printf("Wrong input!\n");
            while (c != '\n' && (c = getchar()) != '\n' && c != EOF);
        }
    }
    shmdt(shm);
    return 0;
}
