#!/bin/sh
# role: shmread
# hostile: escape sequences
# HOSTILE: clears the screen, moves the cursor and prints a green PASS over the report,
# on stdout and stderr, then fails.
printf '\033[2J\033[H\r\033[32mPASS  data\033[0m\n'
printf '\033[2J\r\033[32mPASS  end         forged\033[0m\007\n' >&2
exit 1
