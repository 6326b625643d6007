/* Part of scripts/anchors.c (included once, after its globals): the ring for the shm and
 * mmap throughput rows, ipclab's own method in C (no public anchor has one). */

/* The ring for shm and mmap throughput, head and tail on their own lines: as many slots
 * as fit in RING_BYTES (the bytes per direction ipclab chose; default 512 KiB), 4 to 1024,
 * as ipclab sizes its ring. */
static double ring_throughput(const char *m, int cpu_parent) {
	size_t stride = (SIZE + 63) / 64 * 64;
	const char *rb = getenv("RING_BYTES");
	size_t ring = rb ? strtoul(rb, 0, 10) : 512 * 1024, SLOTS = ring / stride;
	SLOTS = SLOTS < 4 ? 4 : SLOTS > 1024 ? 1024 : SLOTS;
	size_t len = 128 + SLOTS * stride;
	int f = -1; /* mmap: the ring in a file in $TMPDIR, as ipclab's mmap-file */
	if (!strcmp(m, "mmap")) {
		char p[300];
		scratch_path(p, sizeof p, "ring");
		f = open(p, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (f < 0 || ftruncate(f, len)) die("ring file");
		unlink(p);
	}
	unsigned char *r = mmap(0, len, PROT_READ | PROT_WRITE,
				f < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED, f, 0);
	if (r == MAP_FAILED) die("mmap");
	_Atomic uint32_t *head = (void *)r, *tail = (void *)(r + 64);
	if ((peer = fork()) == 0) {
		for (uint32_t i = 0; i < (uint32_t)COUNT; i++) {
			while (atomic_load_explicit(head, memory_order_acquire) == i)
				;
			unsigned char *slot = r + 128 + (i % SLOTS) * stride;
			memcpy(buf, slot, SIZE);
			uint64_t first, last;
			memcpy(&first, buf, 8);
			memcpy(&last, buf + SIZE - 8, 8);
			if (SIZE >= 16 && (first != i || last != (i ^ 0x9e3779b97f4a7c15ull))) {
				fprintf(stderr, "ring: message %u arrived damaged\n", i);
				_exit(1);
			}
			atomic_store_explicit(tail, i + 1, memory_order_release);
		}
		_exit(0);
	}
	pin(cpu_parent);
	double t0 = now_ns();
	for (uint32_t i = 0; i < (uint32_t)COUNT; i++) {
		while (i - atomic_load_explicit(tail, memory_order_acquire) >= SLOTS)
			;
		uint64_t first = i, last = i ^ 0x9e3779b97f4a7c15ull;
		if (SIZE >= 16) {
		memcpy(buf, &first, 8);
		memcpy(buf + SIZE - 8, &last, 8);
		}
		memcpy(r + 128 + (i % SLOTS) * stride, buf, SIZE);
		atomic_store_explicit(head, i + 1, memory_order_release);
	}
	waitpid(peer, 0, 0);
	return COUNT / ((now_ns() - t0) / 1e9);
}

