#!/usr/bin/env bash
# Runs the CUDA backend's tests on a CPU emulator of its kernels, for machines without a GPU.
#
# Builds target/emulator/libdnc_cuda_emulator.so: src/main/cuda compiled by g++ as C++ against
# src/test/emulator (one OS thread per CUDA thread, __syncthreads as a barrier, warp shuffles through a warp
# barrier), with AddressSanitizer. Then runs the emulated test classes (CudaEmulated*: the conformance suite
# with an H100's shared memory and with 400 bytes of it, DeterminismChecks, the launch count) with it.
# What the emulator cannot tell is listed in src/test/emulator/emulation.h and docs/cuda.md.
#
#   kernels-cuda/emulate.sh [extra mvn arguments, e.g. -Dtest=CudaEmulatedDeterminismTest]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
lib="$here/target/emulator/libdnc_cuda_emulator.so"
mkdir -p "$(dirname "$lib")"
# -ffp-contract=off: no FMA contraction, like nvcc -fmad=false and like Java
g++ -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address -ffp-contract=off -fPIC -shared -pthread \
  -Wall -Wextra -Wno-unused-parameter -Wno-unknown-pragmas -DDNC_EMULATION \
  -I"$here/src/test/emulator" -I"$here/src/main/cuda" -I"$java_home/include" -I"$java_home/include/linux" \
  "$here/src/test/emulator/emulator.cpp" -o "$lib"
echo "[emulator] built $lib"

# AddressSanitizer must be the first library of the forked test JVM; the JVM's own SIGSEGV handling stays on
asan="$(g++ -print-file-name=libasan.so)"
cd "$here/.."
# -am: test against this tree's kernels-testing, not whatever an earlier install left in ~/.m2
mvn -o -q -B -pl kernels-cuda -am test -Pcuda-emulator -Ddnc.cuda.emulator="$lib" -Demulator.preload="$asan" \
  -Dtest='CudaEmulated*' -Dsurefire.failIfNoSpecifiedTests=false "$@"
