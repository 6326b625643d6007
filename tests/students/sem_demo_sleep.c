/* role: sem-demo
 * expect: data
 * BROKEN: no semaphore at all: the father sleeps a second and hopes the child was faster. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char *argv[])
{
    int ms = argc > 1 ? atoi(argv[1]) : 2000;
    pid_t pid = fork();
    if (pid == 0) {
        usleep(ms * 1000);
        printf("Process child: pid=%d\n", getpid());
        fflush(stdout);
        return 0;
    }
    sleep(1);                                /* the bug: a sleep is not a wait */
    printf("Process father: pid=%d\n", getpid());
    fflush(stdout);
    waitpid(pid, NULL, 0);
    return 0;
}
