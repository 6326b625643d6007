#!/bin/sh
# role: shmproducer
# expect: pass
# Algorithm 8-5 in sh: a POSIX shm object is a file in /dev/shm; the C string, its NUL
# included, goes at offset 0 (dd conv=notrunc keeps the object's size).
printf 'Hello World!\0' | dd of="/dev/shm/${1#/}" conv=notrunc status=none || exit 1
echo "produced message: Hello World!"
