/* role: shmread
 * hostile: ignores every signal
 * HOSTILE: ignores every signal it can, then waits for ever. */
#include <signal.h>
#include "shmdata.h"
int main(void)
{
    for (int s = 1; s < NSIG; s++) signal(s, SIG_IGN);
    for (;;) pause();
}
