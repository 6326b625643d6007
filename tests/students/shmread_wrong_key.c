/* role: shmread
 * expect: data end
 * BROKEN: takes argv[1] as decimal, not hex: it makes a segment of its own under another
 * key and waits there for ever. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    if (argc < 2) return 2;
    key_t key = atoi(argv[1]);      /* the bug: the key is hex */
    int id = shmget(key, sizeof(struct shared_struct), 0666 | IPC_CREAT);
    if (id < 0) ERR_EXIT("shmget");
    struct shared_struct *s = shmat(id, NULL, 0);
    if (s == (void *)-1) ERR_EXIT("shmat");
    printf("shmread: IPC key = %x\nshmread: shmid = %d\nshmread process ready ...\n", key, id);
    fflush(stdout);
    for (;;) {
        while (!__atomic_load_n(&s->written, __ATOMIC_ACQUIRE)) usleep(10000);
        printf("You wrote: %s\n", s->mtext);
        __atomic_store_n(&s->written, 0, __ATOMIC_RELEASE);
        if (!strncmp(s->mtext, "end", 3)) break;
    }
    shmdt(s);
    return 0;
}
