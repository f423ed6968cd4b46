#!/usr/bin/env bash
# pg-setup.sh: a throwaway PostgreSQL + PostGIS cluster for armsflow's tests.
#
# Usage (from the repository root):
#
#   eval "$(bash .ci/pg-setup.sh)"      # exports ARMSFLOW_TEST_POSTGRES
#   go test -race ./data/postgres/ ./data/migrate/
#   bash .ci/pg-setup.sh stop           # stops the cluster (the data dir stays)
#
# It installs PostgreSQL and PostGIS from Debian's packages when they are
# missing (needs root and apt-get), initializes a cluster in a temporary
# directory (trust authentication, listening on 127.0.0.1 only, durability
# switched off because nothing in it is worth keeping), starts it on a free
# port from 55432 on, creates the database armsflow_test with the postgis
# extension, and prints one line on stdout:
#
#   export ARMSFLOW_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/armsflow_test?sslmode=disable
#
# Everything else goes to stderr. It is idempotent: run again, it finds the
# running cluster and prints the same line in well under a second.
#
# Settings (environment): ARMSFLOW_PG_DIR (default /tmp/armsflow-pg), the
# cluster's directory; ARMSFLOW_PG_PORT (default 55432), the first port
# tried.
set -euo pipefail

dir=${ARMSFLOW_PG_DIR:-/tmp/armsflow-pg}
first_port=${ARMSFLOW_PG_PORT:-55432}
db=armsflow_test
data="$dir/data"

log() { echo "pg-setup: $*" >&2; }
die() { log "$*"; exit 1; }

# run_pg runs a server-side command as the cluster's owner: the postgres
# user when we are root (initdb and postgres refuse to run as root).
run_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

install_packages() {
	local bindir major
	bindir=$(pg_bindir || true)
	if [ -n "$bindir" ]; then
		major=$(basename "$(dirname "$bindir")")
		if [ -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
			return 0 # already installed
		fi
	fi
	[ "$(id -u)" -eq 0 ] || die "PostgreSQL with PostGIS is not installed and we are not root: install postgresql and postgresql-NN-postgis-3"
	command -v apt-get >/dev/null || die "PostgreSQL with PostGIS is not installed and there is no apt-get"
	export DEBIAN_FRONTEND=noninteractive
	log "installing PostgreSQL and PostGIS (apt-get)"
	apt-get update -qq >&2
	if [ -z "$bindir" ]; then
		apt-get install -y -qq --no-install-recommends postgresql >&2
		bindir=$(pg_bindir) || die "postgresql installed, but no initdb under /usr/lib/postgresql"
	fi
	major=$(basename "$(dirname "$bindir")")
	apt-get install -y -qq --no-install-recommends "postgresql-$major-postgis-3" >&2
	[ -f "/usr/share/postgresql/$major/extension/postgis.control" ] || die "postgresql-$major-postgis-3 installed, but no postgis extension"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

dsn() { echo "postgres://postgres@127.0.0.1:$1/$db?sslmode=disable"; }

psql_at() { # port database sql...
	local port=$1 database=$2
	shift 2
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$database" "$@"
}

ensure_database() {
	local port=$1
	if [ "$(psql_at "$port" postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
		psql_at "$port" postgres -c "CREATE DATABASE $db" >&2
	fi
	psql_at "$port" "$db" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis" >&2
}

stop() {
	local bindir
	bindir=$(pg_bindir) || die "PostgreSQL is not installed"
	if [ -f "$data/postmaster.pid" ]; then
		run_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2
	else
		log "no cluster running in $data"
	fi
}

if [ "${1:-}" = stop ]; then
	stop
	exit 0
fi

install_packages
bindir=$(pg_bindir)

# A cluster of ours already running: reuse it.
if [ -f "$dir/port" ] && [ -f "$data/postmaster.pid" ] && run_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
	port=$(cat "$dir/port")
	if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
		ensure_database "$port"
		echo "export ARMSFLOW_TEST_POSTGRES='$(dsn "$port")'"
		exit 0
	fi
fi

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
	chown postgres:postgres "$dir"
fi
if [ ! -f "$data/PG_VERSION" ]; then
	log "initdb $data"
	rm -rf "$data"
	run_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --no-sync --encoding=UTF8 --locale=C.UTF-8 >/dev/null
	cat >>"$data/postgresql.conf" <<-'EOF'
		# armsflow test cluster: throwaway, so durability is off.
		listen_addresses = '127.0.0.1'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		max_connections = 300
		shared_buffers = 128MB
		log_min_messages = warning
	EOF
fi
rm -f "$data/postmaster.pid" # a stale one from a killed run; pg_ctl status said none is running

port=$first_port
while port_busy "$port"; do
	port=$((port + 1))
	[ "$port" -lt $((first_port + 50)) ] || die "no free port in $first_port-$port"
done
log "starting PostgreSQL on 127.0.0.1:$port ($data)"
run_pg "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
	-o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >&2 ||
	{ cat "$dir/server.log" >&2; die "PostgreSQL did not start"; }
echo "$port" >"$dir/port"
ensure_database "$port"
echo "export ARMSFLOW_TEST_POSTGRES='$(dsn "$port")'"
