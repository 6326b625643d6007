#!/usr/bin/env bash
# Start-up beside C: a C hello-world and the blog's C pipe demo (IPC全解析 一) against
# `ipclab --version` and `ipclab pipe`, the default (dynamic) build and the static one
# (scripts/build-static.sh), interleaved: ROUNDS rounds of N runs each (defaults 10, 100).
#
#   scripts/startup.sh [ROUNDS] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10} n=${2:-100}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/startup" scripts/startup.c
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > "$tmp/hello.c"
cat > "$tmp/pipe.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main() { /* IPC全解析 一, as printed (the parent does not wait) */
    int fd[2]; pid_t pid; char buff[20] = {0};
    if (pipe(fd) < 0) printf("Create Pipe Error!\n");
    if ((pid = fork()) < 0) printf("Fork Error!\n");
    else if (pid > 0) { close(fd[0]); write(fd[1], "hello world\n", 12); }
    else { close(fd[1]); read(fd[0], buff, 20); printf("%s", buff); }
    return 0;
}
C
gcc -O2 -o "$tmp/hello" "$tmp/hello.c"
gcc -O2 -o "$tmp/pipe" "$tmp/pipe.c"
cargo build --release --quiet
dyn=$PWD/target/release/ipclab
static=$PWD/$(scripts/build-static.sh | tail -1)
echo "start-up, median of $rounds interleaved rounds of $n runs (ratio: to the first line)"
"$tmp/startup" "$rounds" "$n" "$tmp/hello" "$dyn --version" "$static --version"
"$tmp/startup" "$rounds" "$n" "$tmp/pipe" "$dyn pipe" "$static pipe"
ls -l "$dyn" "$static" | awk '{ print $5, $9 }'
