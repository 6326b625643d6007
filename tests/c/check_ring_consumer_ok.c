/* A correct consumer for `ipclab check ring-consumer`: the slide's consumer loop
 *     while (in == out) ;  item = buffer[out];  out = (out + 1) % BUFFER_SIZE;
 * over the object NAME (argv[1]), COUNT items (argv[2]), checking each item (sequence,
 * checksum, payload) before it prints `consumed COUNT items`. */
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
    unsigned char got[ITEM], want[ITEM];
    for (long seq = 0; seq < count; seq++) {
        uint32_t o = atomic_load_explicit(out, memory_order_relaxed);
        while (atomic_load_explicit(in, memory_order_acquire) == o) sched_yield();
        memcpy(got, base + OFF_SLOTS + (size_t)o * ITEM, ITEM);
        atomic_store_explicit(out, (o + 1) % n, memory_order_release);
        make_item(want, seq);
        if (memcmp(got, want, ITEM) != 0) { fprintf(stderr, "item %ld is wrong\n", seq); return 1; }
    }
    printf("consumed %ld items\n", count);
    return 0;
}
