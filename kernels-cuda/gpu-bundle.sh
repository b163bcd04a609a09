#!/usr/bin/env bash
# GpuRunBundle: everything a GPU machine without Maven, network or a JDK needs to run the CUDA backend's tests,
# in kernels-cuda/.gpu-bundle/ (git-ignored, < 64 MiB):
#
#   jre/                   a jlink runtime of /usr/lib/jvm/temurin-25-jdk-amd64 (only the modules the tests use)
#   lib/                   dnc-kernels-cuda and its test classes as jars, the test class path (dnc-kernels-api,
#                          dnc-kernels-scalar, dnc-kernels-testing, jqwik, JCuda, and of JCuda's linux-x86_64 natives
#                          jar the one library the backend loads, libJCudaDriver)
#   junit-platform-console-standalone-<v>.jar
#   run-cuda-tests.sh      the command line: runs every test class of org.dnckernels.cuda
#
# On the GPU machine (an NVIDIA driver R580+ providing libcuda.so.1, linux-x86_64):
#   .gpu-bundle/run-cuda-tests.sh                     all CUDA tests (the GPU ones skip with a reason if cuda
#                                                     is unavailable; the reason is printed)
#   .gpu-bundle/run-cuda-tests.sh --select-class org.dnckernels.cuda.CudaDeterminismTest   (extra console args)
#
# Usage here: kernels-cuda/gpu-bundle.sh   (builds the module first: mvn -o -pl kernels-cuda install -DskipTests)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jdk="${BUNDLE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
bundle="$here/.gpu-bundle"
console_version="${JUNIT_CONSOLE_VERSION:-1.14.1}"   # the platform release of junit-bom 5.14.1 (root pom)
console="junit-platform-console-standalone-$console_version.jar"
# jdk.zipfs: JUnit scans the test jars through the zip file system (a service, invisible to jdeps)
required_modules="java.base,java.logging,java.management,jdk.incubator.vector,jdk.unsupported,jdk.zipfs"
offline="${MVN_OFFLINE:--o}"

cd "$root"
mvn $offline -q -B -pl kernels-cuda install -DskipTests
# the test class path, as Maven resolves it (jcuda-natives gets its classifier from jcuda-parent's OS profiles)
mvn $offline -q -B -pl kernels-cuda dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$here/target/test-classpath.txt"
console_jar="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$console_version/$console"
if [[ ! -f "$console_jar" ]]; then
  # one download into ~/.m2 (needs the network once)
  mvn -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$console_version"
fi

rm -rf "$bundle"
mkdir -p "$bundle/lib"
jar_tool="$jdk/bin/jar"
"$jar_tool" --create --file "$bundle/lib/dnc-kernels-cuda.jar" -C "$here/target/classes" .
"$jar_tool" --create --file "$bundle/lib/dnc-kernels-cuda-tests.jar" -C "$here/target/test-classes" .
natives=""
IFS=":" read -r -a classpath < "$here/target/test-classpath.txt" || true  # no newline at the end
for jar in "${classpath[@]}"; do
  name="$(basename "$jar")"
  case "$name" in
    # the console launcher brings the JUnit Platform and Jupiter engine itself: two copies of an engine fail
    junit-jupiter-*|junit-platform-*|opentest4j-*|apiguardian-*) continue ;;
    jcuda-natives-*linux-x86_64.jar)
      # of JCuda's native libraries the backend loads only libJCudaDriver (1 of its 26 MB): keep that one
      natives="${name%.jar}-driver-only.jar"
      work="$here/target/bundle-natives"
      rm -rf "$work" && mkdir -p "$work"
      (cd "$work" && "$jdk/bin/jar" --extract --file "$jar" && find lib -type f ! -name 'libJCudaDriver-*' -delete)
      "$jdk/bin/jar" --create --file "$bundle/lib/$natives" -C "$work" lib
      continue ;;
  esac
  cp "$jar" "$bundle/lib/"
done
if [[ -z "$natives" ]]; then
  echo "[bundle] org.jcuda:jcuda-natives:linux-x86_64 is not on the test class path" >&2
  exit 1
fi
cp "$console_jar" "$bundle/$console"

# the modules: the ones asked for plus whatever jdeps finds (over Maven's full test class path, whose module
# jars need opentest4j and the platform jars that the bundle leaves to the console launcher)
maven_classpath="$(cat "$here/target/test-classpath.txt")"
found="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
  --class-path "$maven_classpath:$bundle/$console" ${maven_classpath//:/ } "$bundle/lib/dnc-kernels-cuda.jar" \
  "$bundle/lib/dnc-kernels-cuda-tests.jar" "$bundle/$console" 2>/dev/null | grep -E "^[a-z][a-z0-9.,]*$" | tail -n1)"
modules="$(printf '%s,%s' "$required_modules" "$found" | tr ',' '\n' | grep -v '^$' | sort -u | paste -sd, -)"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --output "$bundle/jre"

cat > "$bundle/run-cuda-tests.sh" <<EOF
#!/bin/sh
# Runs the CUDA backend's tests with the bundled runtime; extra arguments go to the JUnit console launcher.
here="\$(cd "\$(dirname "\$0")" && pwd)"
cp=""
for jar in "\$here"/lib/*.jar; do cp="\$cp\${cp:+:}\$jar"; done
# every test of the backend unless a selector is given
case " \$* " in *" --select"*) ;; *) set -- "\$@" --select-package org.dnckernels.cuda ;; esac
# dnc.kernels.expected=cuda: the conformance suite's check that auto picks cuda (where cuda is available)
exec "\$here/jre/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -Ddnc.kernels.expected=cuda \\
  -jar "\$here/$console" execute --disable-banner --details=tree --class-path "\$cp" "\$@"
EOF
chmod +x "$bundle/run-cuda-tests.sh"

size="$(du -sm "$bundle" | cut -f1)"
echo "[bundle] $bundle: ${size} MiB, modules $modules"
if (( size >= 64 )); then
  echo "[bundle] larger than 64 MiB" >&2
  exit 1
fi
echo "[bundle] run: $bundle/run-cuda-tests.sh"
