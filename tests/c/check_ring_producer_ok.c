/* A correct producer for `ipclab check ring-producer`: the slide's producer loop
 *     while (((in + 1) % BUFFER_SIZE) == out) ;  buffer[in] = item;  in = (in + 1) % BUFFER_SIZE;
 * over the object NAME (argv[1]), COUNT items (argv[2]); `in` and `out` are atomics, so
 * the loop sees the consumer's moves at -O2 and the item is written before `in` moves. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include "check_ring.h"
int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: %s NAME COUNT\n", argv[0]); return 2; }
    uint32_t n;
    unsigned char *base = map_ring(argv[1], &n);
    if (!base) return 1;
    _Atomic uint32_t *in = (_Atomic uint32_t *)(base + OFF_IN), *out = (_Atomic uint32_t *)(base + OFF_OUT);
    long count = atol(argv[2]);
    for (long seq = 0; seq < count; seq++) {
        uint32_t i = atomic_load_explicit(in, memory_order_relaxed);
        while ((i + 1) % n == atomic_load_explicit(out, memory_order_acquire)) sched_yield();
        make_item(base + OFF_SLOTS + (size_t)i * ITEM, seq);
        atomic_store_explicit(in, (i + 1) % n, memory_order_release);
    }
    printf("produced %ld items\n", count);
    return 0;
}
