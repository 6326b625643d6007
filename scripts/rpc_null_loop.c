/* The rpcgen/libtirpc side of the rpc bench row: COUNT NULL calls (procedure 0 of
 * DATE_PROG, which every rpcgen server answers) through clnt_call, over UDP to HOST, after
 * clnt_create has asked HOST's rpcbind for the port. Prints the mean one-way time, as
 * anchors.c does: the loop's total / (2 * COUNT).
 *   rpc_null_loop HOST COUNT        (built by scripts/bench-rpc-vs-rpcgen.sh) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <rpc/rpc.h>

#define DATE_PROG 0x20006013
#define DATE_VERS 1

int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: rpc_null_loop HOST COUNT\n"); return 2; }
    long count = atol(argv[2]);
    CLIENT *cl = clnt_create(argv[1], DATE_PROG, DATE_VERS, "udp");
    if (cl == NULL) { clnt_pcreateerror(argv[1]); return 1; }
    struct timeval tv = {5, 0};
    struct timespec t0, t1;
    for (long i = 0; i < count / 10; i++) /* warm-up, as ipclab's bench does */
        clnt_call(cl, NULLPROC, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, tv);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < count; i++)
        if (clnt_call(cl, NULLPROC, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, tv) != RPC_SUCCESS) {
            clnt_perror(cl, "NULL");
            return 1;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("mean_one_way_ns %.0f\n", ns / count / 2);
    clnt_destroy(cl);
    return 0;
}
