/* role: shmread
 * hostile: 200 processes
 * HOSTILE: starts 200 children that sleep, then waits for them. */
#include <sys/wait.h>
#include "shmdata.h"
int main(void)
{
    for (int i = 0; i < 200; i++)
        if (fork() == 0) { sleep(30); _exit(0); }
    while (wait(NULL) > 0)
        ;
    return 0;
}
