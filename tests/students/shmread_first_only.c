/* role: shmread
 * expect: data end
 * BROKEN: prints the first message and leaves, status 0: the writer's other lines and its
 * `end` are never read. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    key_t key;
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    int id = shmget(key, sizeof(struct shared_struct), 0666);
    if (id < 0) ERR_EXIT("shmget");
    struct shared_struct *s = shmat(id, NULL, 0);
    if (s == (void *)-1) ERR_EXIT("shmat");
    printf("shmread: IPC key = %x\nshmread: shmid = %d\nshmread process ready ...\n", key, id);
    while (!__atomic_load_n(&s->written, __ATOMIC_ACQUIRE)) usleep(10000);
    printf("You wrote: %s\n", s->mtext);
    __atomic_store_n(&s->written, 0, __ATOMIC_RELEASE);
    shmdt(s);
    return 0;
}
