#!/usr/bin/env bash
# Build ipclab statically linked against glibc (crt-static), not position-independent, with
# the `dist` profile (fat LTO, one codegen unit): no dynamic loader, no libgcc_s or libm to
# load and no relocations to apply at every start, which is most of what a Rust binary's
# start-up costs over a C one (docs/bench.md, "Start-up"). The price: the executable's own
# addresses are not randomised (ASLR still moves the stack, heap and mappings); the default
# `cargo build` stays PIE. The target is named explicitly so the flags reach ipclab and not
# the proc-macros that build it. Prints the path of the binary.
#
#   scripts/build-static.sh            then: cp "$(scripts/build-static.sh | tail -1)" ~/bin/ipclab
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
case $host in
  *-linux-gnu*) ;;
  *) echo "build-static.sh: $host is not a glibc Linux target: use cargo build --release" >&2; exit 2 ;;
esac
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C relocation-model=static" \
  cargo build --profile dist --target "$host" --quiet
echo "target/$host/dist/ipclab"
