#!/usr/bin/env python3
# role: mmap-read
# expect: pass
# mmap_r_ipc.c in Python: makes ./temp 4096 bytes, maps it shared, prints the string at
# offset 1024 every argv[2] ms for argv[1] rounds, and removes ./temp.
import mmap, os, sys, time

rounds, ms = int(sys.argv[1]), int(sys.argv[2])
fd = os.open("temp", os.O_RDWR | os.O_CREAT, 0o664)
os.ftruncate(fd, 4096)
m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
try:
    for _ in range(rounds):
        time.sleep(ms / 1000)
        end = m.find(b"\0", 1024)
        print(m[1024:end].decode(errors="replace"), flush=True)
finally:
    os.unlink("temp")
