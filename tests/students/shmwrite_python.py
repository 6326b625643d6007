#!/usr/bin/env python3
# role: shmwrite
# expect: pass
# Algorithm 8-3 in Python (ctypes): waits for written == 0, copies the line with its NUL,
# then sets written = 1; stops after `end` (or at end of input, sending `end`).
import ctypes, sys, time
from sysv import libc, check, signed

key = signed(int(sys.argv[1], 16))
print(f"shmwrite: IPC key = {key & 0xffffffff:x}")
shmid = check(libc.shmget(key, 4100, 0o666), "shmget")
p = check(libc.shmat(shmid, None, 0), "shmat")
print(f"shmwrite: shmid = {shmid}")
print("shmwrite process ready ...", flush=True)
written = ctypes.c_int.from_address(p)
while True:
    while written.value == 1:
        time.sleep(0.01)
    line = sys.stdin.readline() or "end\n"
    data = line.encode()[:4095] + b"\0"
    ctypes.memmove(p + 4, data, len(data))
    print(f"shared buffer: {line}", flush=True)
    written.value = 1
    if line.startswith("end"):
        break
libc.shmdt(ctypes.c_void_p(p))
