#!/usr/bin/env bash
# Mutation testing of the presence engine with PIT 1.30.2 (+ pitest-junit5-plugin 1.2.3): mutates the
# classes of presence-core and runs the engine's own tests and the testkit's suites on the in-memory
# store against each mutant. Prints the score; the HTML report is in target/mutation/presence-core/.
# Not part of scripts/test.sh (it takes minutes); run it after changing the engine or its tests.
#
#   scripts/mutation.sh            presence-core with its tests and the testkit's suites
#   scripts/mutation.sh --threads 4   (extra arguments go to PIT)
#
# The model suite runs with one fixed seed (-Dpresence.seed) so that every mutant meets the same
# operation sequences; the score then does not move from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/mutation
mkdir -p "$out"

echo "mutation.sh: compiling presence-core and presence-testkit with their tests" >&2
mvn -q -pl presence-core,presence-testkit test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/mutation-classpath.txt -Dmdep.includeScope=test
mvn -q -f scripts/mutation/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$out/tools-classpath.txt"

# What the tests run on: the compiled classes and tests of both modules, then their libraries.
classpath=$(printf '%s,' \
  "$PWD/presence-core/target/classes" "$PWD/presence-core/target/test-classes" \
  "$PWD/presence-testkit/target/classes" "$PWD/presence-testkit/target/test-classes")
classpath+=$(tr ':' ',' < presence-testkit/target/mutation-classpath.txt)

java -cp "$(cat "$out/tools-classpath.txt")" org.pitest.mutationtest.commandline.MutationCoverageReport \
  --reportDir "$out/presence-core" --timestampedReports=false --outputFormats HTML,XML \
  --sourceDirs presence-core/src/main/java \
  --classPath "$classpath" --mutableCodePaths "$PWD/presence-core/target/classes" \
  --targetClasses 'dev.huddle.presence.*' \
  --targetTests 'dev.huddle.presence.*' \
  --excludedTestClasses 'dev.huddle.presence.testkit.InMemoryStoreConcurrencyTest' \
  --jvmArgs=-Dpresence.seed=20261207 \
  --threads 2 --timeoutConst 10000 "$@"

# The score, from the XML report: killed (and timed-out) mutants over all mutants.
awk -F'status=' '/<mutation /{split($2, a, "\047|\""); s[a[2]]++; n++}
  END {k = s["KILLED"] + s["TIMED_OUT"] + s["MEMORY_ERROR"];
       printf "mutation.sh: presence-core: %d of %d mutants killed (%.1f %%); %d survived, %d not covered\n",
         k, n, n ? 100 * k / n : 0, s["SURVIVED"], s["NO_COVERAGE"]}' "$out/presence-core/mutations.xml"
