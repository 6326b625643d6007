/* role: shmproducer
 * expect: no-leak
 * BROKEN: writes the message, and also makes an object of its own (a scratch buffer) that
 * it never unlinks; it lives only a few milliseconds. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char *argv[])
{
    char name[64];
    if (argc < 2) return 2;
    snprintf(name, sizeof name, "/scratch-%d", getpid());
    int tmp = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);   /* never unlinked */
    if (tmp >= 0) close(tmp);
    int fd = shm_open(argv[1], O_RDWR, 0666);
    if (fd < 0) { perror("shm_open"); return 1; }
    char *p = mmap(0, 4100, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    strcpy(p, "Hello World!");
    printf("produced message: %s\n", p);
    return 0;
}
