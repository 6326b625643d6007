/* Test helper: mkseg KEY SIZE MODE creates a System V segment and prints its id. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>
int main(int argc, char *argv[])
{
    key_t key; size_t size; unsigned mode; int id;
    if (argc < 4) { fprintf(stderr, "usage: mkseg KEY SIZE MODE\n"); return 2; }
    sscanf(argv[1], "%x", &key); size = strtoul(argv[2], 0, 10); sscanf(argv[3], "%o", &mode);
    id = shmget(key, size, IPC_CREAT | IPC_EXCL | mode);
    if (id == -1) { perror("shmget"); return 1; }
    printf("%d\n", id);
    return 0;
}
