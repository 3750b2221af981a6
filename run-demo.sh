#!/usr/bin/env bash
# The main job: starts a local multi-node cluster and shows which node served each query.
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh
exec mvn -B -ntp -q -Pdemo -DskipTests package "$@"
