/* role: shmread
 * hostile: kills its parent
 * HOSTILE: sends SIGTERM, then SIGKILL, to its parent (the grader, when runs are not
 * sealed), then reads as a correct reader would. */
#include <signal.h>
#include "shmdata.h"
int main(int argc, char *argv[])
{
    key_t key;
    kill(getppid(), SIGTERM);
    kill(getppid(), SIGKILL);
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    int id = shmget(key, sizeof(struct shared_struct), 0666);
    if (id < 0) ERR_EXIT("shmget");
    struct shared_struct *s = shmat(id, NULL, 0);
    if (s == (void *)-1) ERR_EXIT("shmat");
    printf("shmread: IPC key = %x\nshmread: shmid = %d\nshmread process ready ...\n", key, id);
    for (;;) {
        while (!__atomic_load_n(&s->written, __ATOMIC_ACQUIRE)) usleep(10000);
        printf("You wrote: %s\n", s->mtext);
        fflush(stdout);
        int end = !strncmp(s->mtext, "end", 3);
        __atomic_store_n(&s->written, 0, __ATOMIC_RELEASE);
        if (end) break;
    }
    return 0;
}
