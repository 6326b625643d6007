/* Algorithm 8-1 (alg.8-1-shmcon.c): the controller. `./shmcon PATH`. It makes the
 * segment of ftok(PATH, 0x27), starts the reader and the writer (vfork + execv of
 * ./alg.8-2-shmread.o and ./alg.8-3-shmwrite.o, each given the key in hex), waits for both
 * and removes the segment, also when Ctrl-C or SIGTERM ends the children early. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include "shmdata.h"

static volatile sig_atomic_t stop;
static void note(int sig) { stop = sig; }

int main(int argc, char *argv[])
{
    key_t key = -1;
    int shmid = -1, shmsize = TEXT_NUM * sizeof(struct shared_struct);
    pid_t kids[2] = {-1, -1};
    char key_str[16];
    struct sigaction sa = { .sa_handler = note };

    if (argc < 2) { printf("Usage: ./a.out pathname\n"); return EXIT_FAILURE; }
    /* Ctrl-C reaches the whole group: the children end, and this process must still
     * remove the segment. So the handler only notes the signal. */
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    printf("max record number = %d, shm size = %d\n", TEXT_NUM, shmsize);

    /* TODO 1: the key: ftok(argv[1], 0x27). */
    if (key == -1) ERR_EXIT("shmcon: ftok()");
    printf("key generated: IPC key = %x\n", key);

    /* TODO 2: make the segment: shmget(key, shmsize, 0600|IPC_CREAT); attach it, set
     *         written to 0, and detach it again. */
    if (shmid == -1) ERR_EXIT("shmcon: shmget()");
    printf("shmcon: shmid = %d\n", shmid);
    fflush(stdout);

    sprintf(key_str, "%x", key);
    char *argv1[] = {" ", key_str, 0};
    const char *paths[2] = {"./alg.8-2-shmread.o", "./alg.8-3-shmwrite.o"};
    for (int i = 0; i < 2; i++) {
        /* TODO 3: start child i: vfork(); in the child execv(paths[i], argv1) and
         *         _exit(127) if that fails. Keep its pid in kids[i]. */
        (void)paths; (void)argv1;
    }

    /* TODO 4: wait for both children (waitpid, again when it fails with EINTR). */

    /* TODO 5: remove the segment: shmctl(shmid, IPC_RMID, 0), then say so as the slide:
     *         printf("shmcon: shmid = %d removed \n", shmid); */
    (void)kids;
    return stop ? 128 + stop : EXIT_SUCCESS;
}
