/* Broken on purpose for `ipclab check fifo-write`: the seed's writer, but it writes n bytes,
 * not n + 1, so no NUL ends a message and the reader cannot tell where one ends: its
 * messages arrive run together (fails `data`). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
int main(int argc, char *argv[])
{
    int fd, n, i, count = argc > 1 ? atoi(argv[1]) : 10; char buf[1024]; time_t tp;
    printf("I am %d process.\n", getpid());
    if ((fd = open("fifo1", O_WRONLY)) < 0) { perror("Open FIFO Failed"); exit(1); }
    for (i = 0; i < count; ++i) {
        time(&tp);
        n = sprintf(buf, "Process %d's time is %s", getpid(), ctime(&tp));
        printf("Send message: %s", buf);
        if (write(fd, buf, n) < 0) { perror("Write FIFO Failed"); exit(1); }
        usleep(10000);
    }
    close(fd);
    return 0;
}
