#!/usr/bin/env bash
# Installs what the demo and the tests need when it is missing: a JDK 17+, Maven,
# PostgreSQL (server + contrib: postgres_fdw, dblink) and PgBouncer. Debian/Ubuntu only.
set -euo pipefail

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
pg_ok=false
if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/postgres" ]; then pg_ok=true; fi
if ! $pg_ok && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then pg_ok=true; fi
if ! $pg_ok && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then pg_ok=true; fi
$pg_ok || missing+=(postgresql postgresql-contrib)
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then missing+=(pgbouncer); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "[prerequisites] installing: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "[prerequisites] not root and no sudo: install ${missing[*]} yourself" >&2; exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL and PgBouncer refuse to run as root: the test kit runs them as this user then.
if [ "$(id -u)" -eq 0 ] && ! id "${CITUS_TESTKIT_OS_USER:-postgres}" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "${CITUS_TESTKIT_OS_USER:-postgres}"
fi
echo "[prerequisites] ok: $(java -version 2>&1 | head -1); $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'); $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1); $(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
