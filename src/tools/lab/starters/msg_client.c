/* IPC全解析 三, the message-queue client. `./msg_client PATH`. It finds the server's queue
 * (ftok(PATH, 'z'), without IPC_CREAT), sends a request of type 888 ("hello, I'm client
 * PID") and prints the server's reply, of type 999. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/msg.h>

struct msg_form { long mtype; char mtext[256]; };

int main(int argc, char *argv[])
{
    int msqid = -1;
    key_t key = -1;
    struct msg_form msg;

    /* TODO 1: the key: ftok(PATH, 'z'). */
    if (key < 0) { perror("ftok error"); exit(1); }
    printf("Message Queue - Client key is: %d.\n", key);

    /* TODO 2: find the server's queue: msgget(key, 0) (no IPC_CREAT: the server makes it). */
    if (msqid == -1) { perror("msgget error (is the server running?)"); exit(1); }
    printf("My msqid is: %d.\n", msqid);
    printf("My pid is: %d.\n", getpid());
    fflush(stdout);

    /* TODO 3: send the request: mtype 888, mtext "hello, I'm client PID" (msgsnd); fail
     *         (exit 1) if msgsnd does. */

    /* TODO 4: receive the reply of type 999 (msgrcv); fail if msgrcv does (the queue may
     *         be gone); then print, as the blog does:
     *           Client: receive msg.mtext is: %s.
     *           Client: receive msg.mtype is: %ld. */
    (void)msg; (void)argc; (void)argv;
    return 0;
}
