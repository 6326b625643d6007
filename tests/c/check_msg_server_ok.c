/* A correct server for `ipclab check msg-server`: the seed's server (IPC全解析 三) serving
 * COUNT requests (argv[2]), then removing its queue, which the seed never does; Ctrl-C or
 * SIGTERM while it waits in msgrcv removes the queue too; before removing it, it waits
 * until its last reply was taken. Passes every check. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/msg.h>
struct msg_form { long mtype; char mtext[256]; };
static void note(int sig) { (void)sig; }
int main(int argc, char *argv[])
{
    int msqid, i, count = argc > 2 ? atoi(argv[2]) : 1, rc = 0; key_t key; struct msg_form msg;
    struct sigaction sa = { .sa_handler = note };   /* no SA_RESTART: msgrcv returns EINTR */
    sigaction(SIGINT, &sa, 0); sigaction(SIGTERM, &sa, 0);
    if ((key = ftok(argc > 1 ? argv[1] : "/etc/passwd", 'z')) < 0) { perror("ftok error"); exit(1); }
    printf("Message Queue - Server key is: %d.\n", key);
    if ((msqid = msgget(key, IPC_CREAT|0600)) == -1) { perror("msgget error"); exit(1); }
    printf("My msqid is: %d.\n", msqid);
    printf("My pid is: %d.\n", getpid());
    fflush(stdout);
    for (i = 0; i < count; i++) {
        if (msgrcv(msqid, &msg, 256, 888, 0) < 0) { perror("msgrcv"); rc = 1; break; }
        printf("Server: receive msg.mtext is: %s.\n", msg.mtext);
        printf("Server: receive msg.mtype is: %ld.\n", msg.mtype);
        fflush(stdout);
        msg.mtype = 999;
        sprintf(msg.mtext, "hello, I'm server %d", getpid());
        if (msgsnd(msqid, &msg, sizeof(msg.mtext), 0) < 0) { perror("msgsnd"); rc = 1; break; }
    }
    /* The last reply must be taken before the queue goes: wait (up to 1 s) until it is empty. */
    struct msqid_ds ds;
    for (int t = 0; rc == 0 && t < 100 && msgctl(msqid, IPC_STAT, &ds) == 0 && ds.msg_qnum > 0; t++)
        usleep(10000);
    msgctl(msqid, IPC_RMID, 0);
    return rc;
}
