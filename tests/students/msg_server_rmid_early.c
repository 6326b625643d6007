/* role: msg-server
 * expect: data
 * BROKEN: removes its queue right after its last msgsnd: a client that has not yet taken
 * its reply loses it (EIDRM). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/msg.h>
struct msg_form { long mtype; char mtext[256]; };
static int q = -1;
static void bye(int sig) { if (q >= 0) msgctl(q, IPC_RMID, 0); _exit(128 + sig); }
int main(int argc, char *argv[])
{
    struct msg_form m; int count = argc > 2 ? atoi(argv[2]) : 1;
    key_t key = ftok(argv[1], 'z');
    signal(SIGINT, bye); signal(SIGTERM, bye);
    printf("Message Queue - Server key is: %d.\n", key);
    if ((q = msgget(key, IPC_CREAT | 0777)) < 0) { perror("msgget"); return 1; }
    printf("My msqid is: %d.\nMy pid is: %d.\n", q, getpid());
    fflush(stdout);
    for (int i = 0; i < count; i++) {
        if (msgrcv(q, &m, 256, 888, 0) < 0) { perror("msgrcv"); break; }
        printf("Server: receive msg.mtext is: %s.\nServer: receive msg.mtype is: %ld.\n", m.mtext, m.mtype);
        fflush(stdout);
        m.mtype = 999;
        snprintf(m.mtext, sizeof m.mtext, "hello, I'm server %d", getpid());
        msgsnd(q, &m, 256, 0);
    }
    msgctl(q, IPC_RMID, 0);                  /* the bug: the last reply may not be taken yet */
    return 0;
}
