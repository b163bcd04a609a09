#!/usr/bin/env bash
# One command for the performance report: build the benchmarks, run them, write report/<timestamp>/.
#
#   ./report.sh                          quick profile (~10 min on 2 cores)
#   ./report.sh --full                   more forks and iterations (~75 min on 2 cores)
#   ./report.sh --shapes 16x128x32x4,1x1024x64x4 --kernels contentWeights,read
#   ./report.sh --from results.json      render a report from an existing JMH JSON (e.g. from a GPU host)
#   ./report.sh --help                   every option
#
# Needs Maven and a JDK >= 21 (JAVA_HOME if it is one, else the newest under /usr/lib/jvm); the default java
# may be older. docs/benchmarks.md explains the report.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
jar="bench/target/benchmarks.jar"

usage() {
  cat <<'EOF'
usage: ./report.sh [--quick | --full] [--shapes BxNxWxR,...] [--kernels k1,k2] [--backends b1,b2]
                   [--no-baseline] [--dry-run] [--jvm-args "ARGS"] [--forks N] [--warmups N] [--warmup-ms MS]
                   [--iterations N] [--iteration-ms MS] [--simd-threads N] [--out DIR] [--no-build]
       ./report.sh --from results.json [--machine machine.json] [--out DIR] [--no-build]

  --no-build   use the existing bench/target/benchmarks.jar
  --out DIR    report folder (default: report/<timestamp>; report/latest points at the newest)
  --from FILE  render a JMH JSON result file instead of running; its machine.json (or <name>.machine.json)
               next to it supplies the machine header, else the machine is marked unknown
Other options go to the runner (org.dnckernels.bench.BenchMain); see docs/benchmarks.md.
EOF
}

source "$root/scripts/find-java.sh"

build=1
from=""
out=""
runner_args=()
render_args=()
while (( $# > 0 )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --no-build) build=0 ;;
    --from) from="${2:?--from needs a file}"; shift ;;
    --machine) render_args+=(--machine "${2:?--machine needs a file}"); shift ;;
    --out) out="${2:?--out needs a folder}"; shift ;;
    *) runner_args+=("$1") ;;
  esac
  shift
done

start=$(date +%s)
java="$(find_java)"
echo "java: $java ($("$java" -version 2>&1 | head -n 1))"

if (( build )) || [[ ! -f "$jar" ]]; then
  echo "building $jar ..."
  mvn -q -B -DskipTests -pl bench -am package
fi

stamp="$(date +%Y-%m-%dT%H-%M-%S)"
if [[ -z "$out" ]]; then
  out="report/$stamp"
  link_latest=1
else
  link_latest=0
fi
mkdir -p "$out"

if [[ -n "$from" ]]; then
  if (( ${#runner_args[@]} > 0 )); then
    echo "error: --from renders an existing file; these options need a run: ${runner_args[*]}" >&2
    exit 2
  fi
  "$java" -Djava.awt.headless=true -cp "$jar" org.dnckernels.bench.report.ReportMain \
    --from "$from" ${render_args[@]+"${render_args[@]}"} --out "$out"
elif [[ " ${runner_args[*]-} " == *" --dry-run "* ]]; then
  rmdir "$out" 2>/dev/null || true
  "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar" \
    org.dnckernels.bench.BenchMain --out "$out" "${runner_args[@]}"
  exit 0
else
  "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -cp "$jar" \
    org.dnckernels.bench.BenchMain --out "$out" ${runner_args[@]+"${runner_args[@]}"} 2>&1 | tee "$out/jmh.log"
fi

if (( link_latest )) && [[ -f "$out/index.html" ]]; then
  ln -sfn "$stamp" report/latest
fi
echo "done in $(( $(date +%s) - start )) s: $out/index.html, $out/report.md"
