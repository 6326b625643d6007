/* role: fifo-read
 * expect: data
 * BROKEN: one message per read(): when the writer's messages arrive together, it prints
 * only the first of them (printf stops at the NUL). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
static void bye(int sig) { unlink("fifo1"); _exit(128 + sig); }
int main(void)
{
    char buf[2048]; ssize_t n;
    signal(SIGINT, bye); signal(SIGTERM, bye);
    mkfifo("fifo1", 0600);
    int fd = open("fifo1", O_RDONLY);
    if (fd < 0) { perror("open"); unlink("fifo1"); return 1; }
    while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
        buf[n] = 0;
        printf("Read message: %s", buf);
        fflush(stdout);
    }
    unlink("fifo1");
    return 0;
}
