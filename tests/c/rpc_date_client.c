/* The textbook's RPC client for date.x, on the rpcgen-made stubs (date_clnt.c): clnt_create
 * asks HOST's rpcbind where DATE_PROG is, then the calls marshal their arguments in XDR.
 *   rpcgen date.x && gcc rpc_date_client.c date_clnt.c date_xdr.c -ltirpc
 *   ./rpc_date_client HOST udp|tcp A B */
#include <stdio.h>
#include <stdlib.h>
#include "date.h"

int main(int argc, char *argv[])
{
    if (argc < 5) { fprintf(stderr, "usage: rpc_date_client HOST udp|tcp A B\n"); return 2; }
    CLIENT *cl = clnt_create(argv[1], DATE_PROG, DATE_VERS, argv[2]);
    if (cl == NULL) { clnt_pcreateerror(argv[1]); return 1; }
    char **date = date_1(NULL, cl);
    if (date == NULL) { clnt_perror(cl, "DATE"); return 1; }
    printf("remote date: %s\n", *date);
    pair p = { atoi(argv[3]), atoi(argv[4]) };
    int *sum = add_1(&p, cl);
    if (sum == NULL) { clnt_perror(cl, "ADD"); return 1; }
    printf("remote add(%d, %d) = %d\n", p.a, p.b, *sum);
    clnt_destroy(cl);
    return 0;
}
