#!/bin/bash
# role: fifo-read
# expect: pass
# The blog's FIFO reader in bash: `read -d ''` reads up to each NUL, so every message of a
# read prints once; fifo1 is removed at the end and on Ctrl-C.
trap 'rm -f fifo1; exit 130' INT
trap 'rm -f fifo1; exit 143' TERM
[ -p fifo1 ] || mkfifo -m 600 fifo1 || exit 1
while IFS= read -r -d '' msg; do
    printf 'Read message: %s' "$msg"
done < fifo1
rm -f fifo1
