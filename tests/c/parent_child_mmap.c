/* parent_child_mmap.c from the mmap notes (seed 003 二.1), as printed: english.txt in the
   current directory, shared over fork, nothing ordering the parent's write and the child's
   print. */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <sys/wait.h>

int main(int argc, const char* argv[])
{
    int fd = open("english.txt", O_RDWR);
    int len = lseek(fd, 0, SEEK_END);
    void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if(ptr == MAP_FAILED) { perror("mmap error"); exit(1); }
    close(fd);
    pid_t pid = fork();
    if(pid == -1) { perror("fork error"); exit(1); }
    if(pid > 0) {
        strcpy((char*)ptr, "你是我儿子吗？");
        wait(NULL);
    } else if(pid == 0) {
        printf("%s\n", (char*)ptr);
    }
    int ret = munmap(ptr, len);
    if(ret == -1) { perror("munmap error"); exit(1); }
    return 0;
}
