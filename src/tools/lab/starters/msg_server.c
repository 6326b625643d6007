/* IPC全解析 三, the message-queue server. `./msg_server PATH COUNT`. The queue of
 * ftok(PATH, 'z'); it answers COUNT requests of type 888 with a reply of type 999
 * ("hello, I'm server PID"), then removes its queue (once its last reply was taken), also
 * when Ctrl-C or SIGTERM ends it while it waits. */
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
    int msqid = -1, i, count = argc > 2 ? atoi(argv[2]) : 1, rc = 0;
    key_t key = -1;
    struct msg_form msg;
    struct sigaction sa = { .sa_handler = note }; /* no SA_RESTART: msgrcv returns EINTR */
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);

    /* TODO 1: the key: ftok(PATH, 'z') (PATH is argv[1]). */
    if (key < 0) { perror("ftok error"); exit(1); }
    printf("Message Queue - Server key is: %d.\n", key);

    /* TODO 2: make the queue: msgget(key, IPC_CREAT|0600). */
    if (msqid == -1) { perror("msgget error"); exit(1); }
    printf("My msqid is: %d.\n", msqid);
    printf("My pid is: %d.\n", getpid());
    fflush(stdout);

    for (i = 0; i < count; i++) {
        /* TODO 3: receive a request of type 888 (msgrcv); on an error (EINTR too) say so,
         *         set rc = 1 and stop. Then print, as the blog does:
         *           Server: receive msg.mtext is: %s.
         *           Server: receive msg.mtype is: %ld.
         *         and reply: mtype 999, mtext "hello, I'm server PID" (msgsnd). */
        (void)msg;
    }

    /* TODO 4: wait (a little, at most a second) until the queue is empty (msgctl IPC_STAT,
     *         msg_qnum), so the client has its reply; then remove the queue (IPC_RMID). */
    return rc;
}
