#!/usr/bin/env bash
# Builds the distribution from this checkout and runs it in the foreground exactly as it installs: the tarball
# unpacked into dist/target/pg-node-<version>/ (bin/pg-node, lib/, plugins/ with the Xray plugin).
# DATA_DIR defaults to ./data (API key, certificate, backends' work directories); other settings come from the
# environment, a .env file or conf/node.yml here. Arguments go to pg-node: options of `run`
# (./run-node.sh --config conf/node.yml) or another command (./run-node.sh plugins).
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q -DskipTests package

shopt -s nullglob
tarballs=(dist/target/pg-node-*.tar.gz)
if (( ${#tarballs[@]} != 1 )); then
  echo "run-node.sh: expected one dist/target/pg-node-*.tar.gz, found ${#tarballs[@]}" >&2
  exit 1
fi
home="${tarballs[0]%.tar.gz}"
rm -rf "$home"
tar -xzf "${tarballs[0]}" -C dist/target

export DATA_DIR="${DATA_DIR:-$PWD/data}"
exec "$home/bin/pg-node" "$@"
