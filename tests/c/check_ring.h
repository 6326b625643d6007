/* The slides' bounded buffer as `ipclab check ring-producer|ring-consumer` lays it out in
 * the POSIX object NAME (docs/check.md): the controller (ipclab) made and initialised it. */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#define OFF_SIZE 4      /* uint32 BUFFER_SIZE */
#define OFF_IN 64       /* uint32 in: next free slot (the producer moves it) */
#define OFF_OUT 128     /* uint32 out: first full slot (the consumer moves it) */
#define OFF_SLOTS 256   /* buffer[BUFFER_SIZE], 64-byte items */
#define ITEM 64
/* Item seq: seq (u64), checksum (u64), then 48 bytes (uint8_t)(seq + i). */
static inline void make_item(unsigned char *b, uint64_t seq)
{
    uint64_t sum = (seq * 0x9E3779B97F4A7C15ull) ^ 0xA5A5A5A5A5A5A5A5ull;
    memcpy(b, &seq, 8); memcpy(b + 8, &sum, 8);
    for (int i = 0; i < 48; i++) b[16 + i] = (unsigned char)(seq + i);
}
