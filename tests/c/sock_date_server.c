/* The textbook's date server (its Java DateServer, in C): socket, bind, listen, then for
 * each client accept, write the date, close. `sock_date_server PORT COUNT` serves COUNT
 * clients on 127.0.0.1:PORT (0: a port the kernel picks) and says where it listens. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: sock_date_server PORT COUNT\n"); return 2; }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || bind(s, (struct sockaddr *)&a, n) || listen(s, 5) || getsockname(s, (struct sockaddr *)&a, &n)) { perror("server"); return 1; }
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (int i = 0; i < atoi(argv[2]); i++) {
        int c = accept(s, NULL, NULL);
        if (c < 0) { perror("accept"); return 1; }
        time_t t = time(NULL);
        char date[64];
        strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y\n", localtime(&t));
        if (write(c, date, strlen(date)) < 0) perror("write");
        close(c);
    }
    close(s);
    return 0;
}
