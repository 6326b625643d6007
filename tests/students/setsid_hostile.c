/* role: shmread
 * hostile: escapes its group
 * HOSTILE: five children leave its process group and session (setsid), each with a
 * private segment, and live on for a minute; the parent itself leaves at once. */
#include <signal.h>
#include "shmdata.h"
int main(void)
{
    for (int i = 0; i < 5; i++) {
        if (fork() == 0) {
            setsid();
            signal(SIGHUP, SIG_IGN);
            int id = shmget(IPC_PRIVATE, 4096, 0600);
            if (id >= 0) shmat(id, NULL, 0);
            sleep(60);
            _exit(0);
        }
    }
    return 0;
}
