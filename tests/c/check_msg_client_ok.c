/* A correct client for `ipclab check msg-client`: the seed's msg_client (IPC全解析 三),
 * checking what msgsnd and msgrcv return, so a queue removed before the reply is an error
 * (exit 1), not its own request printed as the answer. Passes every check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/msg.h>
struct msg_form { long mtype; char mtext[256]; };
int main(int argc, char *argv[])
{
    int msqid; key_t key; struct msg_form msg;
    if ((key = ftok(argc > 1 ? argv[1] : "/etc/passwd", 'z')) < 0) { perror("ftok error"); exit(1); }
    printf("Message Queue - Client key is: %d.\n", key);
    if ((msqid = msgget(key, 0)) == -1) { perror("msgget error (is the server running?)"); exit(1); }
    printf("My msqid is: %d.\n", msqid);
    printf("My pid is: %d.\n", getpid());
    fflush(stdout);
    msg.mtype = 888;
    sprintf(msg.mtext, "hello, I'm client %d", getpid());
    if (msgsnd(msqid, &msg, sizeof(msg.mtext), 0) == -1) { perror("msgsnd"); exit(1); }
    if (msgrcv(msqid, &msg, 256, 999, 0) == -1) { perror("msgrcv (the queue went away?)"); exit(1); }
    printf("Client: receive msg.mtext is: %s.\n", msg.mtext);
    printf("Client: receive msg.mtype is: %ld.\n", msg.mtype);
    return 0;
}
