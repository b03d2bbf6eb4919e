# shellcheck shell=bash
# Starts and stops the server peers of the workload driver (BENCHMARKS.md "Harness"): a
# redis-server and a throw-away PostgreSQL 15 cluster, both on 127.0.0.1, with every file in
# one run directory. Meant to be sourced by bash:
#
#   source bench/peers/servers.sh
#   trap peers_stop EXIT
#   peers_start /tmp/peers-run      # exports REDIS_HOST/REDIS_PORT/REDIS_PID and
#                                   # PGHOST/PGPORT/PGUSER/PGDATABASE/PG_PID
#   ... run the driver ...
#   peers_stop                      # idempotent; removes nothing
#
# or from any shell: `bash bench/peers/servers.sh start RUNDIR` (prints the exports, for eval)
# and `bash bench/peers/servers.sh stop RUNDIR`.
#
# Inputs (environment):
#   PEERS_DURABILITY   nosync (default): Redis appendonly no, PG synchronous_commit=off;
#                      durable: Redis appendonly yes + appendfsync always, synchronous_commit=on.
#                      The adapters set their own class per connection too; this is the default.
#   PEERS_REDIS_PORT, PEERS_PG_PORT   fixed ports (default: free ones picked by the kernel)
#   PEERS_PG_SHARED_BUFFERS_MB        shared_buffers (default 256, the driver's cache budget)
#
# PostgreSQL refuses to run as root. As root, the cluster belongs to the `postgres` system user
# (created by the postgresql package), or to a `puppiesbench` system user created here when
# there is none; RUNDIR is made traversable for it. As any other user, everything runs as that
# user. Servers are stopped by the pids in their pid files, never by name.

_PEERS_PG_BIN=/usr/lib/postgresql/15/bin  # not /usr/local/bin/pg_ctl, which may be another one

_peers_log() { echo "servers.sh: $*" >&2; }

_peers_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command as the cluster's owner.
_peers_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$_PEERS_PG_USER" -- "$@"
  else
    "$@"
  fi
}

_peers_pg_owner() {
  if [[ $(id -u) -ne 0 ]]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id puppiesbench >/dev/null 2>&1 ||
      useradd --system --no-create-home --shell /usr/sbin/nologin puppiesbench || return 1
    echo puppiesbench
  fi
}

# A stopped daemon stays a zombie until init reaps it, which kill -0 cannot tell apart.
_peers_alive() {
  local stat
  [[ -n $1 ]] && stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]
}

# peers_start RUNDIR: starts both servers, writes RUNDIR/peers.env and exports its variables.
peers_start() {
  local rundir=${1:?usage: peers_start RUNDIR}
  local durability=${PEERS_DURABILITY:-nosync}
  local appendonly sync_commit
  case $durability in
    nosync) appendonly=no sync_commit=off ;;
    durable) appendonly=yes sync_commit=on ;;
    *) _peers_log "PEERS_DURABILITY must be nosync or durable, not '$durability'"; return 1 ;;
  esac
  mkdir -p "$rundir/redis" "$rundir/pg" || return 1
  rundir=$(cd "$rundir" && pwd)
  export PEERS_RUNDIR=$rundir

  local redis_port=${PEERS_REDIS_PORT:-$(_peers_free_port)}
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$rundir/redis" \
    --daemonize yes --pidfile "$rundir/redis/redis.pid" --logfile "$rundir/redis/redis.log" \
    --save "" --appendonly "$appendonly" --appendfsync always || { peers_stop; return 1; }
  local _
  for _ in $(seq 100); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 ||
    { _peers_log "redis-server did not start; see $rundir/redis/redis.log"; peers_stop; return 1; }

  _PEERS_PG_USER=$(_peers_pg_owner) || { peers_stop; return 1; }
  local pg_port=${PEERS_PG_PORT:-$(_peers_free_port)}
  local data=$rundir/pg/data sock=$rundir/pg/sock
  # A unix socket path is limited to 107 bytes (pg_ctl uses the socket to wait for start-up).
  if (( ${#sock} + 20 > 107 )); then
    _peers_log "run directory path too long for a unix socket: $sock"; peers_stop; return 1
  fi
  mkdir -p "$sock"
  if [[ $(id -u) -eq 0 ]]; then
    chmod o+x "$rundir"
    chown -R "$_PEERS_PG_USER" "$rundir/pg"
    _peers_as_pg test -w "$rundir/pg" ||
      { _peers_log "$_PEERS_PG_USER cannot reach $rundir/pg (a parent directory is not traversable)"
        peers_stop; return 1; }
  fi
  _peers_as_pg "$_PEERS_PG_BIN/initdb" -D "$data" -U puppies --auth=trust -E UTF8 --locale=C \
    --no-sync >"$rundir/pg/initdb.log" 2>&1 ||
    { _peers_log "initdb failed; see $rundir/pg/initdb.log"; peers_stop; return 1; }
  cat >>"$data/postgresql.conf" <<EOF
# servers.sh (BENCHMARKS.md "PostgreSQL": settings for fairness)
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$sock'
shared_buffers = ${PEERS_PG_SHARED_BUFFERS_MB:-256}MB
random_page_cost = 1.1
jit = off
fsync = on
synchronous_commit = $sync_commit
max_wal_size = 16GB
checkpoint_timeout = 30min
max_connections = 40
EOF
  _peers_as_pg "$_PEERS_PG_BIN/pg_ctl" -D "$data" -l "$rundir/pg/postgres.log" -w -t 60 start \
    >/dev/null || { _peers_log "postgres did not start; see $rundir/pg/postgres.log"; peers_stop; return 1; }

  cat >"$rundir/peers.env" <<EOF
export PEERS_RUNDIR='$rundir'
export REDIS_HOST=127.0.0.1 REDIS_PORT=$redis_port REDIS_PID=$(cat "$rundir/redis/redis.pid")
export PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=puppies PGDATABASE=postgres PG_PID=$(head -1 "$data/postmaster.pid")
EOF
  # shellcheck disable=SC1091
  source "$rundir/peers.env"
}

# peers_stop [RUNDIR]: stops whatever of the two servers runs in RUNDIR (default: the last
# started). Safe to call twice, before a start, or from an EXIT trap.
peers_stop() {
  local rundir=${1:-${PEERS_RUNDIR:-}}
  [[ -n $rundir && -d $rundir ]] || return 0
  local pid
  if [[ -f $rundir/redis/redis.pid ]]; then
    pid=$(cat "$rundir/redis/redis.pid")
    if _peers_alive "$pid"; then
      kill -TERM "$pid"
      local _
      for _ in $(seq 100); do _peers_alive "$pid" || break; sleep 0.1; done
    fi
  fi
  if [[ -f $rundir/pg/data/postmaster.pid ]]; then
    [[ -n ${_PEERS_PG_USER:-} ]] || _PEERS_PG_USER=$(stat -c %U "$rundir/pg/data")
    _peers_as_pg "$_PEERS_PG_BIN/pg_ctl" -D "$rundir/pg/data" -m fast -w -t 60 stop >/dev/null 2>&1
  fi
  return 0
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
    start) peers_start "${2:?usage: servers.sh start RUNDIR}" >&2 && cat "$PEERS_RUNDIR/peers.env" ;;
    stop) peers_stop "${2:?usage: servers.sh stop RUNDIR}" ;;
    *) echo "usage: servers.sh start|stop RUNDIR (or source it for peers_start/peers_stop)" >&2; exit 2 ;;
  esac
fi
