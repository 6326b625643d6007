/* A correct reader for `ipclab check fifo-read`: the seed's read_fifo.c (IPC全解析 二),
 * printing every message of each read() (a fast writer's messages arrive several at once,
 * a long one in parts: each ends with its NUL), and removing the FIFO it made when the
 * writer is done and on Ctrl-C, so nothing is left. The seed prints only the first message
 * of each read() and leaves fifo1 behind (data, no-leak, sigint). */
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
    int fd, len, have = 0; char buf[4096], msg[8192];
    signal(SIGINT, bye);
    signal(SIGTERM, bye);
    if (mkfifo("fifo1", 0600) < 0 && errno != EEXIST) { perror("Create FIFO Failed"); exit(1); }
    if ((fd = open("fifo1", O_RDONLY)) < 0) { perror("Open FIFO Failed"); unlink("fifo1"); exit(1); }
    while ((len = read(fd, buf, sizeof buf)) > 0) {
        for (int i = 0; i < len; i++) {
            if (buf[i] != '\0') {
                if (have < (int)sizeof msg - 1) msg[have++] = buf[i];
                continue;
            }
            msg[have] = '\0';
            printf("Read message: %s", msg);
            fflush(stdout);
            have = 0;
        }
    }
    close(fd);
    unlink("fifo1");
    return 0;
}
