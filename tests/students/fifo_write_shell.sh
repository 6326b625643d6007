#!/bin/bash
# role: fifo-write
# expect: pass
# The blog's FIFO writer in bash: argv[1] messages, each with its NUL, one every 200 ms.
echo "I am $$ process."
while [ ! -p fifo1 ]; do sleep 0.05; done
exec 3>fifo1 || exit 1
for ((i = 0; i < ${1:-10}; i++)); do
    msg="Process $$'s time is $(date '+%a %b %e %T %Y')"
    echo "Send message: $msg"
    printf '%s\n\0' "$msg" >&3
    [ "$i" -lt $((${1:-10} - 1)) ] && sleep 0.2
done
exec 3>&-
