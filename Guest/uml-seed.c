// libboxless-seed.so: preloaded into the User-Mode Linux process by the Linux host so that the
// guest kernel's random-number generator starts from the run's seed. UML seeds its generator from
// the host's getrandom(2) at boot (arch/um/kernel/um_arch.c); this replaces that one source with
// a xorshift stream seeded by BOXLESS_GUEST_SEED (decimal; default 1). Only getrandom is
// replaced, and only in that process tree. (The kernel's other host entropy source, the UML
// hardware RNG reading /dev/random, is left out of the kernel build: CONFIG_UML_RANDOM=n.)
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

static uint64_t state;

static uint64_t next(void) {
    if (state == 0) {
        const char *s = getenv("BOXLESS_GUEST_SEED");
        state = (s ? strtoull(s, NULL, 10) : 1) * 0x9E3779B97F4A7C15ULL | 1;
    }
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
    (void)flags;
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) p[i] = (uint8_t)(next() >> 24);
    return (ssize_t)len;
}
