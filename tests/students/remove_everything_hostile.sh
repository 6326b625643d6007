#!/bin/sh
# role: shmread
# hostile: removes everything
# HOSTILE: removes every System V object and POSIX shm object it can, and the FIFO and
# key file of a demo running beside it ($LIVE_FIFO, $LIVE_KEYFILE), then kills every
# process of its user it can see.
ipcrm --all 2>/dev/null
rm -f /dev/shm/* "$LIVE_FIFO" "$LIVE_KEYFILE" 2>/dev/null
kill -TERM -1 2>/dev/null
exit 0
