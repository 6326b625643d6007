/* The server procedures of date.x for the rpcgen-made C server (date_svc.c supplies main:
 * it registers DATE_PROG with rpcbind and dispatches here). Built by tests/rpc.rs:
 *   rpcgen date.x && gcc rpc_date_server.c date_svc.c date_xdr.c -ltirpc */
#include <stdio.h>
#include <time.h>
#include "date.h"

static unsigned int executed;

char **date_1_svc(void *argp, struct svc_req *rqstp)
{
    static char buf[64], *result = buf;
    time_t t = time(NULL);
    strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", localtime(&t));
    executed++;
    return &result;
}

int *add_1_svc(pair *argp, struct svc_req *rqstp)
{
    static int result;
    result = argp->a + argp->b;
    executed++;
    return &result;
}

u_int *calls_1_svc(void *argp, struct svc_req *rqstp)
{
    static u_int result;
    result = ++executed;
    return &result;
}
