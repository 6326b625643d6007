#!/usr/bin/env python3
# role: shmread
# expect: cpu
# BROKEN: a reader that waits for the writer in a loop with no sleep at all: it works,
# and burns a CPU all the while it waits.
import ctypes, sys
from sysv import libc, check, signed

key = signed(int(sys.argv[1], 16))
print(f"shmread: IPC key = {key & 0xffffffff:x}")
shmid = check(libc.shmget(key, 4100, 0o666), "shmget")
p = check(libc.shmat(shmid, None, 0), "shmat")
print(f"shmread: shmid = {shmid}")
print("shmread process ready ...", flush=True)
written = ctypes.c_int.from_address(p)
while True:
    while written.value == 0:
        pass
    text = ctypes.string_at(p + 4).decode(errors="replace")
    print(f"You wrote: {text}", flush=True)
    written.value = 0
    if text.startswith("end"):
        break
