/* Test peer: rpc_probe PORT sends crafted calls to the date service over UDP on 127.0.0.1
 * and decodes each reply with libtirpc (xdr_replymsg, _seterr_reply, clnt_sperrno), one
 * line per call: what a libtirpc client makes of ipclab's answers. Calls: a good NULL,
 * version 2, procedure 9, RPC version 3, credential flavor 99, a 401-byte credential, a
 * malformed AUTH_SYS credential, ADD without its arguments. */
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG 0x20006013u

static int put(unsigned char *b, int at, unsigned v) { v = htonl(v); memcpy(b + at, &v, 4); return at + 4; }

/* A call: rpcvers, vers, proc, cred flavor and body length (body zeros, or an AUTH_SYS
 * body cut short when flavor is AUTH_SYS). */
static int call(unsigned char *b, unsigned xid, unsigned rpcvers, unsigned vers, unsigned proc,
                unsigned flavor, unsigned credlen)
{
    int at = 0;
    at = put(b, at, xid); at = put(b, at, 0); at = put(b, at, rpcvers);
    at = put(b, at, PROG); at = put(b, at, vers); at = put(b, at, proc);
    at = put(b, at, flavor); at = put(b, at, credlen);
    memset(b + at, 0, (credlen + 3) & ~3u);
    if (flavor == AUTH_UNIX && credlen >= 8) put(b, at + 4, 1000); /* machinename of 1000 bytes */
    at += (credlen + 3) & ~3u;
    at = put(b, at, 0); at = put(b, at, 0);
    return at;
}

int main(int argc, char *argv[])
{
    if (argc < 2) return 2;
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct timeval tv = { 3, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct { const char *what; unsigned rpcvers, vers, proc, flavor, credlen; } cases[] = {
        { "NULL", 2, 1, 0, AUTH_NONE, 0 },
        { "version 2", 2, 2, 0, AUTH_NONE, 0 },
        { "procedure 9", 2, 1, 9, AUTH_NONE, 0 },
        { "RPC version 3", 3, 1, 0, AUTH_NONE, 0 },
        { "flavor 99", 2, 1, 0, 99, 0 },
        { "credential of 401 bytes", 2, 1, 0, AUTH_NONE, 401 },
        { "malformed AUTH_SYS", 2, 1, 0, AUTH_UNIX, 8 },
        { "ADD without arguments", 2, 1, 2, AUTH_NONE, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char out[1024], in[1024];
        int n = call(out, 0x7000 + i, cases[i].rpcvers, cases[i].vers, cases[i].proc,
                     cases[i].flavor, cases[i].credlen);
        sendto(fd, out, n, 0, (struct sockaddr *)&to, sizeof to);
        ssize_t got = recv(fd, in, sizeof in, 0);
        if (got < 0) { printf("%s: no reply\n", cases[i].what); continue; }
        XDR x; struct rpc_msg reply; struct rpc_err err;
        memset(&reply, 0, sizeof reply);
        reply.acpted_rply.ar_verf = _null_auth;
        reply.acpted_rply.ar_results.where = NULL;
        reply.acpted_rply.ar_results.proc = (xdrproc_t)xdr_void;
        xdrmem_create(&x, (char *)in, got, XDR_DECODE);
        if (!xdr_replymsg(&x, &reply)) { printf("%s: undecodable reply\n", cases[i].what); continue; }
        _seterr_reply(&reply, &err);
        printf("%s: %s", cases[i].what, clnt_sperrno(err.re_status));
        if (err.re_status == RPC_PROGVERSMISMATCH || err.re_status == RPC_VERSMISMATCH)
            printf(" (low %u, high %u)", (unsigned)err.re_vers.low, (unsigned)err.re_vers.high);
        if (err.re_status == RPC_AUTHERROR)
            printf(" (%s)", err.re_why == AUTH_BADCRED ? "AUTH_BADCRED"
                   : err.re_why == AUTH_REJECTEDCRED ? "AUTH_REJECTEDCRED" : "other");
        printf("\n");
    }
    return 0;
}
