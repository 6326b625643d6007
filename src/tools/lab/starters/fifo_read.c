/* IPC全解析 二, read_fifo.c: the FIFO reader. `./fifo_read` (no argument). It makes the
 * FIFO ./fifo1, opens it for reading (which waits for a writer), prints every message it
 * reads ("Read message: ..."), and removes ./fifo1 when the writer is done and on Ctrl-C.
 * Each message ends with its NUL; one read() may bring several, or part of one. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* TODO 4: on SIGINT and SIGTERM, remove ./fifo1, then die of the signal as before. */
static void bye(int sig) { signal(sig, SIG_DFL); raise(sig); }

int main(void)
{
    int fd = -1, len;
    char buf[4096];
    signal(SIGINT, bye);
    signal(SIGTERM, bye);

    /* TODO 1: make the FIFO: mkfifo("fifo1", 0600) (it may exist already: EEXIST). */

    /* TODO 2: open it for reading. */
    if (fd < 0) { perror("Open FIFO Failed"); exit(1); }

    while ((len = read(fd, buf, sizeof buf)) > 0) {
        /* TODO 3: print every message in buf[0..len) as "Read message: %s" (they are
         *         separated by NULs; keep a part until its NUL arrives). */
    }
    close(fd);
    /* TODO 5: remove ./fifo1. */
    return 0;
}
