#!/usr/bin/env bash
# Installs what the demo and the tests need when it is missing: a JDK 17+, Maven,
# PostgreSQL (server + contrib: postgres_fdw, dblink), PgBouncer, and what the test kit needs to
# compile its small server extension (search_path reporting, as Citus does): the PostgreSQL server
# headers (PGXS) of the installed major, gcc and make. Debian/Ubuntu only.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
apt_updated=false
install_packages() {
  echo "[prerequisites] installing: $*"
  if [ "$SUDO" = none ]; then
    echo "[prerequisites] not root and no sudo: install $* yourself" >&2; exit 1
  fi
  if ! $apt_updated; then $SUDO apt-get update -qq; apt_updated=true; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
pg_ok=false
if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/postgres" ]; then pg_ok=true; fi
if ! $pg_ok && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then pg_ok=true; fi
if ! $pg_ok && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then pg_ok=true; fi
$pg_ok || missing+=(postgresql postgresql-contrib)
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then missing+=(pgbouncer); fi
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
[ ${#missing[@]} -eq 0 ] || install_packages "${missing[@]}"

# The server headers of the PostgreSQL the kit runs (PG_BIN, else the newest Debian install), pinned to
# the installed server's version when the archive still has it (so no server upgrade is pulled in).
pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -n "$pg_bin" ] && [ -x "$pg_bin/pg_config" ] && [ ! -f "$("$pg_bin/pg_config" --includedir-server)/postgres.h" ]; then
  major="$("$pg_bin/pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
  if [ "$SUDO" = none ]; then
    # Not fatal here: the kit then warns that search_path is not reported (and fails with CI=true).
    echo "[prerequisites] WARNING: not root and no sudo: install postgresql-server-dev-$major yourself" >&2
  else
    if ! $apt_updated; then $SUDO apt-get update -qq; apt_updated=true; fi
    dev="postgresql-server-dev-$major"
    server_version="$(dpkg-query -W -f='${Version}' "postgresql-$major" 2>/dev/null || true)"
    if [ -n "$server_version" ] && apt-cache madison "$dev" 2>/dev/null | grep -qF "| $server_version |"; then
      dev="$dev=$server_version"
    fi
    install_packages "$dev"
  fi
fi

# PostgreSQL and PgBouncer refuse to run as root: the test kit runs them as this user then.
if [ "$(id -u)" -eq 0 ] && ! id "${CITUS_TESTKIT_OS_USER:-postgres}" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "${CITUS_TESTKIT_OS_USER:-postgres}"
fi
echo "[prerequisites] ok: $(java -version 2>&1 | head -1); $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'); $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1); $(command -v pgbouncer || echo /usr/sbin/pgbouncer); server headers $(if [ -n "${pg_bin:-}" ] && [ -x "$pg_bin/pg_config" ]; then "$pg_bin/pg_config" --includedir-server; else echo absent; fi)"
