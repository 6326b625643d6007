#!/usr/bin/env bash
# Redraw the pictures in docs/img from runs made now, with headless Chromium: the tour's
# gallery (one page per demo), a shmcon --sync sem run with three lines typed, the merged
# two-terminal msg run (a wait, then quick hand-offs), and the bounded buffer.
#
#   scripts/screenshots.sh            (needs chromium; builds ipclab in release mode)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "screenshots: chromium is not installed" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/ipclab
img=$PWD/docs/img
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export IPCLAB_STATE_DIR=$work/state
mkdir -m 700 "$IPCLAB_STATE_DIR"

# A page's picture, as tall as its SVG plus the page's header.
shot() { # PAGE PNG
    local h
    h=$(grep -o '<svg [^>]*height="[0-9.]*"' "$1" | head -1 | sed 's/.*height="\([0-9.]*\)"/\1/')
    h=${h%.*}
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=1280,$((h + 300)) --screenshot="$2" "file://$1" 2>/dev/null
    echo "screenshots: $2"
}

TMPDIR=$work "$bin" tour --timeline "$work/gallery" >/dev/null
g=$work/gallery
shot "$(ls "$g"/02-shmcon.html)" "$img/timeline-shm-sysv.png"
shot "$(ls "$g"/04-sysv-student.html)" "$img/timeline-sysv-student.png"
shot "$(ls "$g"/05-shmpthreadcon.html)" "$img/timeline-shm-posix.png"
shot "$(ls "$g"/08-mmap-file.html)" "$img/timeline-mmap.png"
shot "$(ls "$g"/12-pipe.html)" "$img/timeline-pipe.png"
shot "$(ls "$g"/13-fifo-write.html)" "$img/timeline-fifo.png"
shot "$(ls "$g"/15-sem-demo.html)" "$img/timeline-sem.png"
shot "$(ls "$g"/16-shm-msg-client.html)" "$img/timeline-shm-msg.png"

cd "$work"
touch shm.key msg.key
printf 'hello\nworld\nend\n' | "$bin" --timeline shmcon.html shmcon ./shm.key --sync sem --interval 10ms >/dev/null
shot "$work/shmcon.html" "$img/timeline-shmcon-sem.png"

"$bin" --timeline srv.json msg-server --path msg.key --count 2 >srv.out 2>&1 &
until grep -q "My pid is" srv.out 2>/dev/null; do sleep 0.05; done
sleep 0.5   # the wait the picture compresses: a student starting the client by hand
"$bin" --timeline cli1.json msg-client --path msg.key >/dev/null
"$bin" --timeline cli2.json msg-client --path msg.key >/dev/null
wait
"$bin" timeline merge srv.json cli1.json cli2.json -o msg.html >/dev/null 2>&1
shot "$work/msg.html" "$img/timeline-msg.png"

"$bin" --timeline ring.html shmpthreadcon --items 60 --sync sem --delay 2ms >/dev/null
shot "$work/ring.html" "$img/timeline-bounded-buffer.png"
