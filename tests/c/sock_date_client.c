/* The textbook's date client (its Java DateClient, in C): connect to HOST:PORT, read the
 * date until the server closes, print it. `sock_date_client HOST PORT` */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: sock_date_client HOST PORT\n"); return 2; }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    char buf[256];
    ssize_t n, total = 0;
    while ((n = read(s, buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    printf("the date is: %s", buf);
    close(s);
    return total > 0 ? 0 : 1;
}
