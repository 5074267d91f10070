#!/usr/bin/env bash
# Shows that the build's rule on armsr-core's dependency tree fails when it should: in a scratch
# clone of HEAD, each banned library (command line, chart, server, Spark) in turn is added to
# armsr-core's pom and `mvn validate` must fail with the rule's message; the untouched pom must
# pass. Usage: scripts/check-core-dependency-rule.sh   (needs the dependencies in ~/.m2 once)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
git clone -q "$here" "$scratch/repo"
cd "$scratch/repo"
mvn -B -q validate -pl armsr-core -am >/dev/null || { echo "FAIL: the untouched armsr-core does not validate"; exit 1; }
echo "ok: armsr-core as it is passes the rule"
status=0
for gav in info.picocli:picocli:4.7.7 org.jfree:jfreechart:1.5.6 io.javalin:javalin:7.2.3 \
           org.apache.spark:spark-sql_2.13:4.2.0; do
  IFS=: read -r g a v <<<"$gav"
  git checkout -q armsr-core/pom.xml
  python3 - "$g" "$a" "$v" <<'PY'
import sys
g, a, v = sys.argv[1:]
p = 'armsr-core/pom.xml'
s = open(p).read()
dep = f'    <dependency>\n      <groupId>{g}</groupId>\n      <artifactId>{a}</artifactId>\n      <version>{v}</version>\n    </dependency>\n'
s = s.replace('  <dependencies>\n', '  <dependencies>\n' + dep, 1)
open(p, 'w').write(s)
PY
  # Offline first (no download needed to see the rule fire when the artifact is cached).
  if out=$(mvn -B validate -pl armsr-core -am 2>&1); then
    echo "FAIL: armsr-core with $gav passed the rule"; status=1
  elif grep -q "banned via the exclude/include list" <<<"$out"; then
    echo "ok: armsr-core with $gav is refused: $(grep -m1 'banned via' <<<"$out" | sed 's/^\[ERROR\] *//')"
  else
    echo "FAIL: armsr-core with $gav failed for another reason:"; grep -m3 ERROR <<<"$out"; status=1
  fi
done
exit $status
