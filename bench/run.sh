#!/bin/sh
# Builds the node and its tarball, then measures the node against the core it drives and prints the table
# (README, "Benchmarks"). Needs the v2fly core: apt-get install -y --no-install-recommends v2ray.
# Arguments go to the benchmarks: bench/run.sh --help lists them.
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
exec java -jar bench/target/pg-node-bench.jar "$@"
