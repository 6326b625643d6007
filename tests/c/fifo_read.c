/* Seed 002 二 read_fifo.c, as in the blog (prints the first message of each read). */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>
int main(void)
{
    int fd, len; char buf[1024];
    if (mkfifo("fifo1", 0666) < 0 && errno != EEXIST) perror("Create FIFO Failed");
    if ((fd = open("fifo1", O_RDONLY)) < 0) { perror("Open FIFO Failed"); exit(1); }
    while ((len = read(fd, buf, 1023)) > 0) { buf[len] = 0; printf("Read message: %s", buf); fflush(stdout); }
    close(fd);
    return 0;
}
