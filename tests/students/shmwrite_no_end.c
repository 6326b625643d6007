/* role: shmwrite
 * expect: end
 * BROKEN: stops when it reads `end` without passing it on: its reader would wait for ever. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    char line[BUFSIZ]; key_t key;
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    int id = shmget(key, sizeof(struct shared_struct), 0666);
    if (id < 0) ERR_EXIT("shmget");
    struct shared_struct *s = shmat(id, NULL, 0);
    if (s == (void *)-1) ERR_EXIT("shmat");
    printf("shmwrite: IPC key = %x\nshmwrite: shmid = %d\n", key, id);
    while (fgets(line, sizeof line, stdin) && strncmp(line, "end", 3) != 0) {
        while (__atomic_load_n(&s->written, __ATOMIC_ACQUIRE)) usleep(5000);
        strcpy(s->mtext, line);
        printf("shared buffer: %s", line);
        fflush(stdout);
        __atomic_store_n(&s->written, 1, __ATOMIC_RELEASE);
    }
    shmdt(s);
    return 0;
}
