/* Seed 002 三 server: ftok(PATH, 'z') (PATH = argv[1], default /etc/passwd); serves
 * COUNT requests (argv[2], default 1) instead of forever; like the seed, never removes the queue. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/msg.h>
struct msg_form { long mtype; char mtext[256]; };
int main(int argc, char *argv[])
{
    int msqid, i, count = argc > 2 ? atoi(argv[2]) : 1; key_t key; struct msg_form msg;
    if ((key = ftok(argc > 1 ? argv[1] : "/etc/passwd", 'z')) < 0) { perror("ftok error"); exit(1); }
    printf("Message Queue - Server key is: %d.\n", key);
    if ((msqid = msgget(key, IPC_CREAT|0777)) == -1) { perror("msgget error"); exit(1); }
    printf("My msqid is: %d.\n", msqid);
    printf("My pid is: %d.\n", getpid());
    fflush(stdout);
    for (i = 0; i < count; i++) {
        if (msgrcv(msqid, &msg, 256, 888, 0) < 0) { perror("msgrcv"); exit(1); }
        printf("Server: receive msg.mtext is: %s.\n", msg.mtext);
        printf("Server: receive msg.mtype is: %ld.\n", msg.mtype);
        fflush(stdout);
        msg.mtype = 999;
        sprintf(msg.mtext, "hello, I'm server %d", getpid());
        msgsnd(msqid, &msg, sizeof(msg.mtext), 0);
    }
    return 0;
}
