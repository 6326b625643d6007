/* Test helper: plant_queue KEYFILE UID makes a 0666 queue under ftok(KEYFILE, 'z') and
 * hands it to UID with IPC_SET, as another user planting a queue for UID would; prints
 * its id. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/msg.h>
int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: plant_queue KEYFILE UID\n"); return 2; }
    int id = msgget(ftok(argv[1], 'z'), IPC_CREAT | IPC_EXCL | 0666);
    if (id < 0) { perror("msgget"); return 1; }
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) < 0) { perror("IPC_STAT"); return 1; }
    ds.msg_perm.uid = atoi(argv[2]);
    if (msgctl(id, IPC_SET, &ds) < 0) { perror("IPC_SET"); return 1; }
    printf("%d\n", id);
    return 0;
}
