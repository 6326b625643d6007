/* Broken on purpose for `ipclab check ring-consumer`: the slide's `while (in == out) ;` on a
 * plain (not atomic, not volatile) int. At -O2 the compiler reads `in` once, so the first
 * time the buffer is empty the loop never ends: fails `end` (and `repeat`). */
#include <stdio.h>
#include <stdlib.h>
#include "check_ring.h"
int main(int argc, char *argv[])
{
    if (argc < 3) return 2;
    uint32_t n;
    unsigned char *base = map_ring(argv[1], &n);
    if (!base) return 1;
    uint32_t *in = (uint32_t *)(base + OFF_IN), *out = (uint32_t *)(base + OFF_OUT);
    long count = atol(argv[2]);
    for (long seq = 0; seq < count; seq++) {
        while (*in == *out) ;   /* buffer empty, do nothing */
        *out = (*out + 1) % n;
    }
    printf("consumed %ld items\n", count);
    return 0;
}
