/* Broken on purpose for `ipclab check sem-demo`: the blog's demo without the semaphore
 * ("如果不加信号量，则父进程会先执行完毕"): the father prints first: fails `data`. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char *argv[])
{
    int ms = argc > 1 ? atoi(argv[1]) : 2000; pid_t pid = fork();
    if (pid == 0) { usleep(ms * 1000); printf("Process child: pid=%d\n", getpid()); return 0; }
    printf("Process father: pid=%d\n", getpid());
    fflush(stdout);
    waitpid(pid, 0, 0);
    return 0;
}
