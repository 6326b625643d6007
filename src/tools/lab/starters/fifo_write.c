/* IPC全解析 二, write_fifo.c: the FIFO writer. `./fifo_write COUNT`. It opens ./fifo1 (made
 * by the reader) for writing and sends COUNT messages "Process PID's time is DATE", each
 * with its NUL, 10 ms apart (the blog: 10 messages, one a second). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int fd = -1, n, i, count = argc > 1 ? atoi(argv[1]) : 10;
    char buf[1024];
    time_t tp;
    printf("I am %d process.\n", getpid());

    /* TODO 1: open ./fifo1 for writing. */
    if (fd < 0) { perror("Open FIFO Failed"); exit(1); }

    for (i = 0; i < count; ++i) {
        time(&tp);
        n = sprintf(buf, "Process %d's time is %s", getpid(), ctime(&tp));
        printf("Send message: %s", buf);
        /* TODO 2: write the message with its NUL (n + 1 bytes); stop on an error. */
        (void)n;
        usleep(10000);
    }
    /* TODO 3: close the FIFO. */
    return 0;
}
