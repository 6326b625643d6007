/* The textbook's RPC date client, on the stubs rpcgen makes from date.x (`make` runs
 * rpcgen). `./rpc_client HOST udp|tcp A B`: clnt_create asks HOST's rpcbind where
 * DATE_PROG is; then DATE (no argument) returns the server's date and ADD(pair) a + b. */
#include <stdio.h>
#include <stdlib.h>
#include "date.h"

int main(int argc, char *argv[])
{
    if (argc < 5) { fprintf(stderr, "usage: rpc_client HOST udp|tcp A B\n"); return 2; }
    CLIENT *cl = NULL;
    /* TODO 1: cl = clnt_create(HOST, DATE_PROG, DATE_VERS, argv[2] (the transport)). */
    if (cl == NULL) { clnt_pcreateerror(argv[1]); return 1; }

    char **date = NULL;
    /* TODO 2: call DATE: date = date_1(NULL, cl); on NULL clnt_perror(cl, "DATE"), return 1. */
    if (date == NULL) return 1;
    printf("remote date: %s\n", *date);

    pair p = { atoi(argv[3]), atoi(argv[4]) };
    int *sum = NULL;
    /* TODO 3: call ADD with &p (add_1), and print "remote add(A, B) = SUM". */
    (void)p; (void)sum;

    /* TODO 4: clnt_destroy(cl). */
    return 0;
}
