#!/usr/bin/env bash
# One command for the performance report: build the benchmarks, run them, write report/<timestamp>/.
#
#   ./report.sh                          quick profile (~10 min on 2 cores)
#   ./report.sh --full                   more forks and iterations (~75 min on 2 cores)
#   ./report.sh --shapes 16x128x32x4,1x1024x64x4 --kernels contentWeights,read
#   ./report.sh --from results.json      render a report from an existing JMH JSON (e.g. from a GPU host)
#   ./report.sh --help                   every option
#
# This script only finds a JDK >= 21 (JAVA_HOME if it is one, else the newest under /usr/lib/jvm; the default java
# may be older), builds bench/target/benchmarks.jar unless --no-build, and hands every argument to
# org.dnckernels.bench.BenchMain, which parses them (its --help lists all). docs/benchmarks.md explains the report.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
jar="bench/target/benchmarks.jar"
source "$root/scripts/find-java.sh"

build=1
for a in "$@"; do
  if [[ "$a" == "--no-build" ]]; then build=0; fi
done

java="$(find_java)"
echo "java: $java ($("$java" -version 2>&1 | head -n 1))"

if (( build )) || [[ ! -f "$jar" ]]; then
  echo "building $jar ..."
  if [[ -t 1 ]]; then
    mvn -q -B -DskipTests -pl bench -am package
  else
    # not a terminal (a log, a pipe): no colour codes, and no reset codes from Maven's jansi at start and exit
    MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -q -B -Dstyle.color=never -DskipTests -pl bench -am package
  fi
fi

flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true)
# JMH 1.37 uses sun.misc.Unsafe; from JDK 24 on that prints 4 warning lines unless allowed (the flag exists from 23)
if (( $(java_major "$java") >= 23 )); then
  flags+=(--sun-misc-unsafe-memory-access=allow)
fi
exec "$java" "${flags[@]}" -cp "$jar" org.dnckernels.bench.BenchMain "$@"
