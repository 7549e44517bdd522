#!/bin/sh
# Builds the example guests of the wasi_experimental_http module into
# pywasi_interp/examples/*.wasm (committed, shipped as package data).
# Needs Debian's clang + lld + wasi-libc:
#   apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32
# Debian's clang finds wasi-libc by itself with --target=wasm32-wasi;
# with an upstream wasi-sdk set CC=/path/to/clang and SYSROOT=/path/to/sysroot.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
src="$here/pywasi_interp/examples"
out="$here/pywasi_interp/examples"
CC=${CC:-clang}
target="--target=wasm32-wasi"
if [ -n "${SYSROOT:-}" ]; then target="$target --sysroot=$SYSROOT"; fi
for guest in http_get http_post http_download; do
    # shellcheck disable=SC2086
    "$CC" $target -O2 -Wall -Wextra -Werror \
        "$src/$guest.c" "$src/wasi_experimental_http.c" \
        -o "$out/$guest.wasm" -Wl,--strip-all
    echo "built $out/$guest.wasm"
done
