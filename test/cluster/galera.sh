#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback, for test/cluster/galera.cluster.ts.
# Everything lives under $GALERA_DIR (own ports, sockets, data); the machine's MariaDB on 3306 is
# never touched. Nodes run as the `mysql` user (rsync SST as root fails on file permissions).
#   galera.sh start          bootstrap node 1, join nodes 2 and 3 (rsync SST), wait until Synced
#   galera.sh kill N         kill -9 node N
#   galera.sh restart N      --wsrep-recover, then start node N at the recovered position and wait
#   galera.sh stop           stop every node and remove $GALERA_DIR
# Ports: node N listens on 2330N (SQL), 2440N (group), 2450N (IST), 2460N (SST).
set -euo pipefail
: "${GALERA_DIR:?set GALERA_DIR to a temporary folder}"
PROVIDER=/usr/lib/galera/libgalera_smm.so
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
INSTALL_DB=$(command -v mariadb-install-db || command -v mysql_install_db)
CLIENT=$(command -v mariadb || command -v mysql)
# The nodes' and SST scripts' temporary files: TMPDIR may name a folder the mysql user can't write
# (npm test's run folder, test/helpers/global-setup.mjs).
export TMPDIR="$GALERA_DIR/tmp"

sql_port() { echo "2330$1"; }
node_dir() { echo "$GALERA_DIR/n$1"; }

write_cnf() {
  local n=$1 d; d=$(node_dir "$n")
  mkdir -p "$d/data"
  cat >"$d/my.cnf" <<CNF
[mariadbd]
user=mysql
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
tmpdir=$TMPDIR
port=$(sql_port "$n")
bind-address=127.0.0.1
innodb_buffer_pool_size=24M
innodb_log_file_size=8M
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
max_connections=200
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=steward_test
wsrep_cluster_address=gcomm://127.0.0.1:24401,127.0.0.1:24402,127.0.0.1:24403
wsrep_node_address=127.0.0.1:2440$n
wsrep_node_name=n$n
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:2460$n
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:2440$n;ist.recv_addr=127.0.0.1:2450$n;gcache.size=32M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S"
wsrep_slave_threads=2
CNF
  chown -R mysql:mysql "$d"
}

q() { "$CLIENT" --protocol=socket -S "$(node_dir "$1")/mysqld.sock" -uroot -N -B -e "$2" 2>/dev/null; }

wait_synced() {
  local n=$1
  for _ in $(seq 1 120); do
    if [ "$(q "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" | awk '{print $2}')" = "Synced" ]; then return 0; fi
    if ! kill -0 "$(cat "$(node_dir "$n")/mysqld.pid" 2>/dev/null || echo 999999)" 2>/dev/null && [ -f "$(node_dir "$n")/started" ]; then
      sleep 0.5
    fi
    sleep 0.5
  done
  echo "node $n did not reach Synced; last lines of its log:" >&2
  tail -n 30 "$(node_dir "$n")/error.log" >&2 || true
  return 1
}

start_node() {
  local n=$1; shift
  touch "$(node_dir "$n")/started"
  "$MARIADBD" --defaults-file="$(node_dir "$n")/my.cnf" "$@" >>"$(node_dir "$n")/stdout.log" 2>&1 &
  wait_synced "$n"
}

case "${1:-}" in
  start)
    [ -x "$MARIADBD" ] && [ -f "$PROVIDER" ] && command -v rsync >/dev/null || { echo "galera-4, mariadb-server and rsync are required" >&2; exit 1; }
    mkdir -p "$GALERA_DIR" "$TMPDIR"; chmod 755 "$GALERA_DIR"; chmod 1777 "$TMPDIR"
    for n in 1 2 3; do write_cnf "$n"; done
    "$INSTALL_DB" --defaults-file="$(node_dir 1)/my.cnf" --user=mysql --auth-root-authentication-method=normal --skip-test-db >"$(node_dir 1)/install.log" 2>&1
    start_node 1 --wsrep-new-cluster
    # The app connects over TCP as root with no password (like the machine's test server).
    q 1 "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS steward CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    start_node 2
    start_node 3
    echo "cluster size: $(q 1 "SHOW STATUS LIKE 'wsrep_cluster_size'" | awk '{print $2}')"
    ;;
  kill)
    kill -9 "$(cat "$(node_dir "$2")/mysqld.pid")"
    ;;
  restart)
    n=$2
    # Recover the last committed position from InnoDB, then rejoin from it (IST when the gcache has it).
    "$MARIADBD" --defaults-file="$(node_dir "$n")/my.cnf" --wsrep-recover --log-error="$(node_dir "$n")/recover.log" >/dev/null 2>&1 || true
    pos=$(grep -o 'Recovered position: .*' "$(node_dir "$n")/recover.log" | tail -n1 | awk '{print $3}')
    start_node "$n" ${pos:+--wsrep_start_position=$pos}
    ;;
  stop)
    for n in 3 2 1; do
      pidf="$(node_dir "$n")/mysqld.pid"
      [ -f "$pidf" ] && kill -9 "$(cat "$pidf")" 2>/dev/null || true
    done
    rm -rf "$GALERA_DIR"
    ;;
  *) echo "usage: GALERA_DIR=… $0 start|kill N|restart N|stop" >&2; exit 2 ;;
esac
