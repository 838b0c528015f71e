#!/usr/bin/env bash
# Builds every example into <out>/<name>.wasm with <out>/<name>.manifest.json
# beside it, the manifest's module.sha256 filled in from the built bytes.
# Run by Maven (exec-maven-plugin, generate-resources) as
#   bash examples/build.sh examples/target/wasm
# Needs the Debian packages clang, lld, wasi-libc, libclang-rt-14-dev-wasm32
# and wabt (scripts/packages.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh <output directory>}"

fail() {
  echo "examples/build.sh: $*" >&2
  exit 1
}

need_tool() { # tool package
  command -v "$1" >/dev/null 2>&1 ||
    fail "'$1' not found on PATH; install the Debian package '$2' (listed in scripts/packages.txt)"
}

need_tool clang clang
need_tool wasm-ld lld
need_tool wat2wasm wabt
need_tool sha256sum coreutils
[[ -f /usr/lib/wasm32-wasi/crt1-reactor.o ]] ||
  fail "wasi-libc missing (/usr/lib/wasm32-wasi/crt1-reactor.o); install the Debian package 'wasi-libc'"
builtins="$(clang --target=wasm32-wasi -print-libgcc-file-name)"
[[ -f "$builtins" ]] ||
  fail "compiler-rt for wasm32 missing ($builtins); install the Debian package 'libclang-rt-14-dev-wasm32'"

mkdir -p "$out"

# Writes <name>.manifest.json from a template whose module.sha256 is @SHA256@.
manifest() { # name template
  local wasm="$out/$1.wasm" template="$here/$2"
  [[ "$(grep -c '"sha256": "@SHA256@"' "$template")" == 1 ]] ||
    fail "$2 must contain \"sha256\": \"@SHA256@\" exactly once"
  local sha
  sha="$(sha256sum "$wasm" | cut -d' ' -f1)"
  sed "s/@SHA256@/$sha/" "$template" >"$out/$1.manifest.json.tmp"
  mv "$out/$1.manifest.json.tmp" "$out/$1.manifest.json"
}

c_module() { # name source manifest [clang flags...]
  local name="$1" source="$2" template="$3"
  shift 3
  clang --target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -O2 -Wall -Wextra -Werror \
    -Wl,--strip-all -I "$here/include" "$@" -o "$out/$name.wasm.tmp" "$here/$source" ||
    fail "clang failed on $source"
  mv "$out/$name.wasm.tmp" "$out/$name.wasm"
  manifest "$name" "$template"
  echo "built $out/$name.wasm ($(stat -c %s "$out/$name.wasm") bytes)"
}

wat_module() { # name source manifest
  wat2wasm "$here/$2" -o "$out/$1.wasm.tmp" || fail "wat2wasm failed on $2"
  mv "$out/$1.wasm.tmp" "$out/$1.wasm"
  manifest "$1" "$3"
  echo "built $out/$1.wasm ($(stat -c %s "$out/$1.wasm") bytes)"
}

c_module thermostat thermostat/thermostat.c thermostat/manifest.json
c_module boiler-control-1.0 boiler-control/boiler-control.c boiler-control/manifest-1.0.json \
  -DBOILER_TUNING=0 -DBOILER_STATE_VERSION=1
c_module boiler-control-1.1 boiler-control/boiler-control.c boiler-control/manifest-1.1.json \
  -DBOILER_TUNING=1 -DBOILER_STATE_VERSION=2
c_module boiler-control-1.2 boiler-control/boiler-control.c boiler-control/manifest-1.2.json \
  -DBOILER_TUNING=1 -DBOILER_STATE_VERSION=2 -DBOILER_FAULT_AFTER_TICKS=100
c_module compute compute/compute.c compute/manifest.json
wat_module runaway runaway/runaway.wat runaway/manifest.json
wat_module memory-bomb memory-bomb/memory-bomb.wat memory-bomb/manifest.json
