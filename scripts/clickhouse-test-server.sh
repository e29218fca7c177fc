#!/usr/bin/env bash
# A throw-away ClickHouse server for the tests: Debian's clickhouse-server (18.16) run directly with a
# minimal config of our own (no systemd), listening on 127.0.0.1 only, on free ports, with its data in a
# temporary folder.
#
#   scripts/clickhouse-test-server.sh start [STATE_DIR]   starts it; prints FACEID_TEST_CLICKHOUSE_URL=...
#   scripts/clickhouse-test-server.sh stop  [STATE_DIR]   stops it and removes its data
#   scripts/clickhouse-test-server.sh url   [STATE_DIR]   prints the URL of a running one
#
# STATE_DIR defaults to /tmp/faceid-clickhouse-$UID. If clickhouse-server is missing, `start` installs it with
# apt-get (it is listed in scripts/debian-packages.txt); if that is impossible it exits with status 3 and
# says so loudly, and the ClickHouse tests then report as skipped.
set -euo pipefail

command=${1:-}
state=${2:-${TMPDIR:-/tmp}/faceid-clickhouse-$(id -u)}
server_bin=${CLICKHOUSE_SERVER_BIN:-/usr/sbin/clickhouse-server}

free_port() {
    python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

ensure_installed() {
    [[ -x $server_bin ]] && return 0
    echo "clickhouse-server is not installed; installing it from Debian (apt-get install clickhouse-server)" >&2
    if [[ $(id -u) -eq 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clickhouse-server >&2 || true
    elif command -v sudo >/dev/null; then
        sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clickhouse-server >&2 || true
    fi
    if [[ ! -x $server_bin ]]; then
        echo "!!! clickhouse-server could not be installed: the ClickHouse tests will be SKIPPED !!!" >&2
        exit 3
    fi
}

running_pid() {
    [[ -f $state/pid ]] || return 1
    local pid
    pid=$(cat "$state/pid")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

write_config() {
    local http_port=$1 tcp_port=$2
    mkdir -p "$state/data" "$state/tmp" "$state/user_files" "$state/log"
    cat >"$state/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$state/log/server.log</log>
        <errorlog>$state/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$http_port</http_port>
    <tcp_port>$tcp_port</tcp_port>
    <max_connections>256</max_connections>
    <keep_alive_timeout>10</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>$state/data/</path>
    <tmp_path>$state/tmp/</tmp_path>
    <user_files_path>$state/user_files/</user_files_path>
    <users_config>$state/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
XML
    cat >"$state/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default></default></quotas>
</yandex>
XML
}

start() {
    if pid=$(running_pid); then
        echo "FACEID_TEST_CLICKHOUSE_URL=$(cat "$state/url")"
        return 0
    fi
    ensure_installed
    rm -rf "$state"
    mkdir -p "$state"
    local http_port tcp_port
    http_port=$(free_port)
    tcp_port=$(free_port)
    while [[ $tcp_port == "$http_port" ]]; do tcp_port=$(free_port); done
    write_config "$http_port" "$tcp_port"
    # ClickHouse wants many open files; raise the soft limit as far as the hard one allows.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    (cd "$state" && exec setsid "$server_bin" --config-file="$state/config.xml" \
        >"$state/log/stdout.log" 2>&1 </dev/null) &
    echo $! >"$state/pid"
    local url="http://127.0.0.1:$http_port"
    echo "$url" >"$state/url"
    for _ in $(seq 1 200); do
        if curl -fsS "$url/ping" >/dev/null 2>&1; then
            echo "FACEID_TEST_CLICKHOUSE_URL=$url"
            return 0
        fi
        if ! running_pid >/dev/null; then break; fi
        sleep 0.1
    done
    echo "!!! clickhouse-server did not start; its log:" >&2
    tail -n 30 "$state/log/stdout.log" "$state/log/server.err.log" >&2 2>/dev/null || true
    stop
    exit 1
}

stop() {
    if pid=$(running_pid); then
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$state"
}

case $command in
    start) start ;;
    stop) stop ;;
    url) [[ -f $state/url ]] && running_pid >/dev/null && cat "$state/url" ;;
    *) echo "usage: $0 start|stop|url [STATE_DIR]" >&2; exit 2 ;;
esac
