#!/bin/sh
# role: shmread
# hostile: writes outside
# HOSTILE: writes where its run has no business: the file named by $HOSTILE_TARGET, and
# the user's home.
echo owned > "$HOSTILE_TARGET"
echo owned > "$HOME/.ipclab-hostile-$$"
exit 0
