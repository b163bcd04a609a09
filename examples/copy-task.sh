#!/usr/bin/env bash
# Trains a DNC on the copy task (org.dnckernels.examples.CopyTask) and writes its pictures.
#
#   examples/copy-task.sh                                   defaults: simd if available, 6 bits, lengths 1-5
#   examples/copy-task.sh --backend scalar --iterations 2000 --out /tmp/copy
#   examples/copy-task.sh --help                            every option
#
# Needs Maven and a JDK >= 21 (JAVA_HOME if it is one, else the newest under /usr/lib/jvm); builds
# examples/target/copy-task.jar when it is missing (after `mvn -B verify` it is there).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/examples/target/copy-task.jar"

source "$root/scripts/find-java.sh"

java="$(find_java)"
if [[ ! -f "$jar" ]]; then
  echo "building $jar ..."
  (cd "$root" && mvn -q -B -DskipTests -pl examples -am package)
fi
# the Vector API module for the SIMD backend (without it the library falls back to scalar and says so)
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true \
  -cp "$jar" org.dnckernels.examples.CopyTask "$@"
