#!/usr/bin/env python3
# role: shmconsumer
# expect: pass
# Algorithm 8-6 in Python: maps /dev/shm/NAME and waits for the message before printing it.
import mmap, os, sys, time

fd = os.open("/dev/shm/" + sys.argv[1].lstrip("/"), os.O_RDONLY)
m = mmap.mmap(fd, 4100, mmap.MAP_SHARED, mmap.PROT_READ)
while m[0] == 0:
    time.sleep(0.005)
time.sleep(0.005)
text = m[: m.find(b"\0")].decode(errors="replace")
print(f"consumed message: {text}", flush=True)
