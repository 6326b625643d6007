#!/usr/bin/env python3
# role: sem-demo
# expect: pass
# The blog's semaphore demo in Python (ctypes): the father's P waits for the child's V; the
# set goes at the end, and on Ctrl-C or SIGTERM while the father waits.
import ctypes, os, signal, sys, time
from sysv import libc, check, SemBuf, IPC_CREAT, IPC_RMID, SETVAL

key = check(libc.ftok(b".", ord("z")), "ftok")
semid = check(libc.semget(key, 1, IPC_CREAT | 0o666), "semget")
check(libc.semctl(semid, 0, SETVAL, ctypes.c_int(0)), "semctl(SETVAL)")
ms = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
pid = os.fork()
if pid == 0:
    time.sleep(ms / 1000)
    print(f"Process child: pid={os.getpid()}", flush=True)
    v = SemBuf(0, 1, 0)
    check(libc.semop(semid, ctypes.byref(v), 1), "semop(V)")
    os._exit(0)
signal.signal(signal.SIGTERM, lambda sig, frame: sys.exit(128 + sig))
try:
    p = SemBuf(0, -1, 0x1000)
    check(libc.semop(semid, ctypes.byref(p), 1), "semop(P)")
    print(f"Process father: pid={os.getpid()}", flush=True)
    os.waitpid(pid, 0)
finally:
    libc.semctl(semid, 0, IPC_RMID)
