/* The textbook's date client (its DateClient, in C). `./date_client HOST PORT`. It
 * connects to the date server at HOST:PORT over TCP, reads until the server closes the
 * connection, and prints "the date is: <what the server sent>". */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: date_client HOST PORT\n"); return 2; }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }

    int s = -1;
    /* TODO 1: a TCP socket: socket(AF_INET, SOCK_STREAM, 0). */

    /* TODO 2: connect it to a; on failure perror("connect") and return 1. */
    if (s < 0) { perror("socket"); return 1; }

    char buf[256];
    ssize_t total = 0;
    /* TODO 3: read into buf + total until read() returns 0 (the server closed), keeping
     *         one byte for the NUL. */
    buf[total] = 0;
    printf("the date is: %s", buf);
    /* TODO 4: close the socket. */
    return total > 0 ? 0 : 1;
}
