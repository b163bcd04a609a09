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

# major version of a java executable ("25.0.3" -> 25, "1.8.0_392" -> 8)
java_major() {
  local v
  v="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  [[ -n "$v" ]] || { echo 0; return; }
  if [[ "$v" == 1.* ]]; then v="${v#1.}"; fi
  echo "${v%%[.+-]*}"
}

find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && (( $(java_major "$JAVA_HOME/bin/java") >= 21 )); then
    echo "$JAVA_HOME/bin/java"
    return
  fi
  local best="" best_major=0 candidate major
  for candidate in /usr/lib/jvm/*/bin/java; do
    [[ -x "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    if (( major > best_major )); then
      best="$candidate"
      best_major="$major"
    fi
  done
  if (( best_major >= 21 )); then
    echo "$best"
    return
  fi
  if command -v java >/dev/null && (( $(java_major "$(command -v java)") >= 21 )); then
    command -v java
    return
  fi
  echo "error: no JDK >= 21 found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
  exit 1
}

java="$(find_java)"
if [[ ! -f "$jar" ]]; then
  echo "building $jar ..."
  (cd "$root" && mvn -q -B -DskipTests -pl examples -am package)
fi
# the Vector API module for the SIMD backend (without it the library falls back to scalar and says so)
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true \
  -cp "$jar" org.dnckernels.examples.CopyTask "$@"
