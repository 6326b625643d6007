/* role: shmwrite
 * expect: data
 * BROKEN: copies strlen(line) bytes, not the NUL: after a long line, a shorter one keeps
 * the long one's tail. */
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
    for (;;) {
        while (__atomic_load_n(&s->written, __ATOMIC_ACQUIRE)) usleep(5000);
        if (!fgets(line, sizeof line, stdin)) strcpy(line, "end\n");
        memcpy(s->mtext, line, strlen(line));   /* the bug: no NUL */
        printf("shared buffer: %s", line);
        fflush(stdout);
        __atomic_store_n(&s->written, 1, __ATOMIC_RELEASE);
        if (!strncmp(line, "end", 3)) break;
    }
    shmdt(s);
    return 0;
}
