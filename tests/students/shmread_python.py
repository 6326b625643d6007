#!/usr/bin/env python3
# role: shmread
# expect: pass
# Algorithm 8-2 in Python (ctypes): polls `written` every 10 ms, prints, hands the buffer
# back, stops at `end`.
import ctypes, sys, time
from sysv import libc, check, signed

key = signed(int(sys.argv[1], 16))
print(f"shmread: IPC key = {key & 0xffffffff:x}")
shmid = check(libc.shmget(key, 4100, 0o666), "shmget")
p = check(libc.shmat(shmid, None, 0), "shmat")
print(f"shmread: shmid = {shmid}")
print(f"shmread: shared memory attached at {p:#x}")
print("shmread process ready ...", flush=True)
written = ctypes.c_int.from_address(p)
while True:
    while written.value == 0:
        time.sleep(0.01)
    text = ctypes.string_at(p + 4).decode(errors="replace")
    print(f"You wrote: {text}", flush=True)
    written.value = 0
    if text.startswith("end"):
        break
libc.shmdt(ctypes.c_void_p(p))
