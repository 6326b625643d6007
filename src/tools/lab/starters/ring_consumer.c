/* The bounded buffer's consumer (the slides' shared-memory solution):
 *     while (in == out) ;   // empty: wait
 *     item = buffer[out];
 *     out = (out + 1) % BUFFER_SIZE;
 * `./ring_consumer NAME COUNT`: COUNT items from the object NAME (layout in ring.h), each
 * checked against make_item before `consumed COUNT items` is printed. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include "ring.h"

int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: %s NAME COUNT\n", argv[0]); return 2; }
    uint32_t n;
    unsigned char *base = map_ring(argv[1], &n);
    if (!base) return 1;
    _Atomic uint32_t *in = (_Atomic uint32_t *)(base + OFF_IN);
    _Atomic uint32_t *out = (_Atomic uint32_t *)(base + OFF_OUT);
    long count = atol(argv[2]);
    unsigned char got[ITEM], want[ITEM];
    for (long seq = 0; seq < count; seq++) {
        /* TODO 1: wait while the buffer is empty: in == out (acquire loads). */

        /* TODO 2: copy the item at slot `out` into got, then move out:
         *         out = (out + 1) % n (release). */
        (void)in; (void)out; (void)n;
        memset(got, 0, ITEM);

        make_item(want, seq);
        if (memcmp(got, want, ITEM) != 0) { fprintf(stderr, "item %ld is wrong\n", seq); return 1; }
    }
    printf("consumed %ld items\n", count);
    return 0;
}
