/* Algorithm 8-0 (shmdata.h) as on the slide: the struct every peer agrees on (4100 bytes).
 * Nothing to change here: the reader, the writer and ipclab all use this layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/shm.h>

#define TEXT_SIZE 4*1024
#define TEXT_NUM 1
#define PERM S_IRUSR|S_IWUSR|IPC_CREAT
#define ERR_EXIT(m) do { perror(m); exit(EXIT_FAILURE); } while(0)

struct shared_struct {
    int written;
    char mtext[TEXT_SIZE];
};
