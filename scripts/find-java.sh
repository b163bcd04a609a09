# Sourced by report.sh and examples/copy-task.sh: find_java prints a java executable of JDK >= 21 (JAVA_HOME if it
# is one, else the newest under /usr/lib/jvm, else the default java), or exits with an error.

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
