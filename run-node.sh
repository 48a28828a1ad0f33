#!/usr/bin/env bash
# Builds the node and its plugins from this checkout and runs it in the foreground.
# DATA_DIR defaults to ./data (API key, certificate, backend work directories), PLUGINS_DIR to the plugin
# zips of this build; both can be overridden from the environment. Arguments go to the node
# (e.g. --config conf/node.yml).
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q -DskipTests package

staging=target/run-node/plugins
rm -rf "$staging"
mkdir -p "$staging"
shopt -s nullglob
zips=(plugins/*/target/*.zip)
if (( ${#zips[@]} == 0 )); then
  echo "run-node.sh: no plugin zip under plugins/*/target/; the node starts without backends" >&2
else
  cp "${zips[@]}" "$staging/"
fi

jar=""
for candidate in node-host/target/node-host-*.jar; do
  case "$candidate" in *-tests.jar) ;; *) jar="$candidate" ;; esac
done
[[ -n "$jar" ]] || { echo "run-node.sh: the node-host jar was not built" >&2; exit 1; }

export PLUGINS_DIR="${PLUGINS_DIR:-$PWD/$staging}"
export DATA_DIR="${DATA_DIR:-$PWD/data}"
exec java -jar "$jar" run "$@"
