/* role: shmwrite
 * expect: data
 * BROKEN: says "ready" (written = 1) as soon as the reader handed the buffer back, then
 * reads the next line and copies it: the reader takes whatever the buffer held before. */
#include "shmdata.h"
int main(int argc, char *argv[])
{
    char line[BUFSIZ]; key_t key;
    if (argc < 2) return 2;
    sscanf(argv[1], "%x", &key);
    int id = shmget(key, sizeof(struct shared_struct), 0666);
    if (id < 0) ERR_EXIT("shmget");
    volatile struct shared_struct *s = shmat(id, NULL, 0);
    if (s == (void *)-1) ERR_EXIT("shmat");
    printf("shmwrite: IPC key = %x\nshmwrite: shmid = %d\n", key, id);
    for (;;) {
        while (s->written) usleep(5000);
        s->written = 1;                       /* the bug: before the text is there */
        if (!fgets(line, sizeof line, stdin)) strcpy(line, "end\n");
        strcpy((char *)s->mtext, line);
        printf("shared buffer: %s", line);
        fflush(stdout);
        if (!strncmp(line, "end", 3)) break;
    }
    shmdt((void *)s);
    return 0;
}
