/* A correct reader for `ipclab check fifo-read`: the seed's read_fifo.c (IPC全解析 二),
 * removing the FIFO it made when the writer is done and on Ctrl-C, so nothing is left.
 * Passes every check; the seed itself leaves fifo1 behind (no-leak, sigint). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void bye(int sig) { unlink("fifo1"); signal(sig, SIG_DFL); raise(sig); }

int main(void)
{
    int fd, len; char buf[1024];
    signal(SIGINT, bye);
    signal(SIGTERM, bye);
    if (mkfifo("fifo1", 0600) < 0 && errno != EEXIST) { perror("Create FIFO Failed"); exit(1); }
    if ((fd = open("fifo1", O_RDONLY)) < 0) { perror("Open FIFO Failed"); unlink("fifo1"); exit(1); }
    while ((len = read(fd, buf, 1023)) > 0) { buf[len] = 0; printf("Read message: %s", buf); fflush(stdout); }
    close(fd);
    unlink("fifo1");
    return 0;
}
