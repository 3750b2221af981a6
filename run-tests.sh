#!/usr/bin/env bash
# The test command: installs missing prerequisites, then builds and runs every test against a
# real local cluster (PostgreSQL coordinator, workers, standbys, PgBouncer). CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh
exec mvn -B -ntp verify "$@"
