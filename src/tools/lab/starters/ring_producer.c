/* The bounded buffer's producer (the slides' shared-memory solution):
 *     while (((in + 1) % BUFFER_SIZE) == out) ;   // full: wait
 *     buffer[in] = item;
 *     in = (in + 1) % BUFFER_SIZE;
 * `./ring_producer NAME COUNT`: COUNT items into the object NAME (layout in ring.h). */
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
    /* `in` and `out` are shared with the other process: atomics, so the loops see each
     * other's moves at -O2 and an item is in place before `in` says so. */
    _Atomic uint32_t *in = (_Atomic uint32_t *)(base + OFF_IN);
    _Atomic uint32_t *out = (_Atomic uint32_t *)(base + OFF_OUT);
    long count = atol(argv[2]);
    for (long seq = 0; seq < count; seq++) {
        /* TODO 1: wait while the buffer is full: ((in + 1) % n) == out (sched_yield()
         *         in the loop is kind to the other side). */

        /* TODO 2: make item seq in slot `in`: make_item(base + OFF_SLOTS + in * ITEM, seq). */

        /* TODO 3: then move in: in = (in + 1) % n (atomic_store_explicit, release). */
        (void)in; (void)out; (void)n;
    }
    printf("produced %ld items\n", count);
    return 0;
}
