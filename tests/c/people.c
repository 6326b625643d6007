/* Seed 004's people layout: `people write FILE` is map_normalfile1 without the hold,
 * `people read FILE` is map_normalfile2 (names NUL-terminated: the fixed record). */
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
typedef struct { char name[4]; int age; } people;
int main(int argc, char **argv)
{
    int fd, i; people *p;
    if (argc < 3) return 2;
    if (strcmp(argv[1], "write") == 0) {
        fd = open(argv[2], O_CREAT|O_RDWR|O_TRUNC, 0600);
        if (fd < 0 || ftruncate(fd, sizeof(people)*5) != 0) { perror("open"); return 1; }
    } else {
        fd = open(argv[2], O_RDWR);
        if (fd < 0) { perror("open"); return 1; }
    }
    p = mmap(NULL, sizeof(people)*10, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    close(fd);
    if (strcmp(argv[1], "write") == 0) {
        for (i = 0; i < 5; i++) { memset(p[i].name, 0, 4); p[i].name[0] = 'b' + i; p[i].age = 20 + i; }
        printf("initialize over\n");
    } else {
        for (i = 0; i < 5; i++) printf("name: %s age %d;\n", p[i].name, p[i].age);
    }
    munmap(p, sizeof(people)*10);
    return 0;
}
