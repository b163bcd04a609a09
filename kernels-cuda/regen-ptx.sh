#!/usr/bin/env bash
# Builds the CUDA backend's PTX from src/main/cuda and checks it with ptxas.
#
#   kernels-cuda/regen-ptx.sh           regenerate src/main/resources/org/dnckernels/cuda/dnc_kernels.ptx
#                                       (commit the result together with the .cu/.cuh change)
#   kernels-cuda/regen-ptx.sh --check   build into target/ptx and fail if the committed PTX is stale
#                                       (run by Maven's ptx-check profile wherever nvcc exists)
#
# nvcc is $NVCC, else nvcc on PATH, else /usr/local/bin/nvcc, $CUDA_HOME/bin/nvcc or /usr/local/cuda/bin/nvcc.
#
# The committed PTX starts with a line holding the SHA-256 of the sources and of the nvcc flags. --check fails
# when that hash does not match the sources (someone changed a kernel without regenerating), and, when this nvcc
# is the release that built the committed file, also when the regenerated PTX differs byte for byte. A
# different nvcc release produces different PTX from the same sources; that alone is reported, not failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sources="$here/src/main/cuda"
committed="$here/src/main/resources/org/dnckernels/cuda/dnc_kernels.ptx"
out="$here/target/ptx"
# compute_75: the lowest target nvcc 13 supports; the driver JIT-compiles it for any GPU from Turing on
# (Hopper sm_90 included). -fmad=false: a*b+c rounded twice, as in the Java reference.
flags=(-ptx -arch=compute_75 -std=c++17 -fmad=false -Werror all-warnings)

mode=regen
case "${1:-}" in
  --check) mode=check ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

find_nvcc() {
  local candidate
  for candidate in "${NVCC:-}" "$(command -v nvcc || true)" /usr/local/bin/nvcc "${CUDA_HOME:-/nonexistent}/bin/nvcc" \
      /usr/local/cuda/bin/nvcc; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! nvcc="$(find_nvcc)"; then
  if [[ $mode == check ]]; then
    echo "[ptx] nvcc not found: the jar carries the committed PTX unchecked"
    exit 0
  fi
  echo "[ptx] nvcc not found (set NVCC=/path/to/nvcc)" >&2
  exit 1
fi
ptxas="$(dirname "$nvcc")/ptxas"
[[ -x "$ptxas" ]] || ptxas="$(command -v ptxas || true)"

# the hash covers every source file (by name and content) and the flags
sources_hash="$(
  cd "$sources"
  { printf '%s\n' "${flags[*]}"; for f in $(ls | LC_ALL=C sort); do printf '== %s\n' "$f"; cat "$f"; done; } \
    | sha256sum | cut -d' ' -f1
)"
header="// dnc-kernels: sha256 of src/main/cuda and nvcc flags: $sources_hash"

mkdir -p "$out"
"$nvcc" "${flags[@]}" -I"$sources" "$sources/dnc_kernels.cu" -o "$out/dnc_kernels.nvcc.ptx"
{ echo "$header"; cat "$out/dnc_kernels.nvcc.ptx"; } > "$out/dnc_kernels.ptx"
rm "$out/dnc_kernels.nvcc.ptx"
release() { grep -m1 '^// Cuda compilation tools' "$1" || echo "unknown nvcc"; }
echo "[ptx] built $out/dnc_kernels.ptx with $(release "$out/dnc_kernels.ptx" | sed 's|^// ||')"

# register and shared memory use per kernel; a kernel that cannot be assembled fails here, GPU or not
if [[ -n "$ptxas" ]]; then
  for arch in sm_90 sm_75; do
    cubin="$out/dnc_kernels.$arch.cubin"
    if ! "$ptxas" -arch=$arch -v "$out/dnc_kernels.ptx" -o "$cubin" 2> "$out/ptxas-$arch.txt"; then
      cat "$out/ptxas-$arch.txt" >&2
      echo "[ptx] ptxas -arch=$arch failed" >&2
      exit 1
    fi
  done
  echo "[ptx] ptxas -arch=sm_90 -v (registers, shared memory per block, spills):"
  awk '/Compiling entry function/ { name = $7; gsub(/\047/, "", name); spills = 0; stack = 0 }
       /bytes stack frame/ && name != "" { stack = $1; spills = $5 + $9 }
       /Used [0-9]+ registers/ && name != "" {
         smem = 0; for (i = 1; i <= NF; i++) if ($(i) ~ /^smem/) smem = $(i - 2)
         printf "[ptx]   %-20s %3d registers %6d bytes smem %4d bytes stack %4d bytes spilled\n",
           name, $5, smem, stack, spills
         name = "" }' \
    "$out/ptxas-sm_90.txt"
else
  echo "[ptx] ptxas not found: register/shared-memory check skipped"
fi

if [[ $mode == regen ]]; then
  mkdir -p "$(dirname "$committed")"
  cp "$out/dnc_kernels.ptx" "$committed"
  echo "[ptx] wrote $committed: commit it with the kernel sources"
  exit 0
fi

stale() {
  echo "[ptx] STALE: $1" >&2
  echo "[ptx] the committed $committed does not match src/main/cuda." >&2
  echo "[ptx] Refresh it with kernels-cuda/regen-ptx.sh and commit the new PTX" >&2
  echo "[ptx] (or build from the committed PTX with -Dptx.check.skip=true)." >&2
  exit 1
}
[[ -f "$committed" ]] || stale "there is no committed PTX"
if [[ "$(head -n1 "$committed")" != "$header" ]]; then
  stale "the sources or the nvcc flags changed since the PTX was generated"
fi
if [[ "$(release "$committed")" == "$(release "$out/dnc_kernels.ptx")" ]]; then
  cmp -s "$committed" "$out/dnc_kernels.ptx" \
    || stale "same sources and nvcc release, but the PTX differs (edited by hand?)"
  echo "[ptx] the committed PTX is up to date (identical to the regenerated one)"
else
  echo "[ptx] the committed PTX matches the sources; it was built by $(release "$committed" | sed 's|^// ||'),"
  echo "[ptx] this nvcc is $(release "$out/dnc_kernels.ptx" | sed 's|^// ||'): byte comparison skipped"
fi
