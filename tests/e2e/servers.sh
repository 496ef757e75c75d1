# servers.sh - test servers for the end-to-end tests: git daemon (git://) and
# lighttpd running git-http-backend (smart http://), each on 127.0.0.1 only
# and on a free port. Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/servers.sh"
#   hub_init "$T/srv/hub.git"
#   start_git_daemon "$T/srv"   # sets GIT_DAEMON_PORT, GIT_DAEMON_PID, GIT_DAEMON_URL
#   start_lighttpd "$T/srv"     # sets HTTPD_PORT, HTTPD_PID, HTTPD_URL (…/git)
#
# Each start_* records the PID of the server it started (read from the pid
# file the server writes: the PID of `git daemon` itself, not of a wrapper).
# stop_server PID kills exactly that PID, after checking that it still is
# that server (its command line names this test's pid file or config), and
# never anything chosen by name. An EXIT trap, run before lib.sh's cleanup,
# stops every server still running however the test ends (failed assertion,
# unexpected error, SIGINT/SIGTERM).
#
# A server that cannot start, or a missing lighttpd / git-http-backend, is a
# test FAILURE with a message saying what is missing (scripts/setup installs
# lighttpd), never a silent skip.

SERVER_PIDS=()   # PIDs of running servers started by this test
SERVER_NEEDLE=() # for each, a string its /proc/PID/cmdline must contain

# _servers_abort MESSAGE : a failed check that ends the test (servers are
# prerequisites: nothing after them makes sense without them).
_servers_abort() {
    LAST_CMD=""
    fail "$1"
    FINISHED=1
    echo "$PASSED passed, $FAILED failed"
    exit 1
}

# free_port : prints a TCP port of 127.0.0.1 that is free right now.
free_port() {
    python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# port_open PORT : true if something accepts connections on 127.0.0.1:PORT.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _alive PID : the process exists and is not a zombie (a detached daemon
# that exited may linger as one when nothing reaps it).
_alive() {
    local st
    kill -0 "$1" 2>/dev/null || return 1
    if [[ -r "/proc/$1/stat" ]]; then
        st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        st=${st##*) }
        [[ "${st%% *}" != Z ]]
    fi
}

# wait_port PORT PID [SECONDS] : waits (default 10 s) until 127.0.0.1:PORT
# accepts connections; false at the deadline or as soon as PID has died.
wait_port() {
    local port=$1 pid=$2 tenths=$((${3:-10} * 10)) i
    for ((i = 0; i < tenths; i++)); do
        if port_open "$port"; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! _alive "$pid"; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

# _read_pid_file FILE : waits up to 10 s for FILE to hold a PID; prints it.
_read_pid_file() {
    local f=$1 i pid
    for ((i = 0; i < 100; i++)); do
        pid=$(cat "$f" 2>/dev/null || true)
        if [[ "$pid" =~ ^[0-9]+$ ]]; then
            echo "$pid"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# _server_is PID NEEDLE : PID is alive and its command line contains NEEDLE.
_server_is() {
    local cmd
    _alive "$1" || return 1
    if [[ -r "/proc/$1/cmdline" ]]; then
        cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
        [[ "$cmd" == *"$2"* ]]
    fi
}

_server_register() {
    SERVER_PIDS+=("$1")
    SERVER_NEEDLE+=("$2")
}

# stop_server PID : stops the server with that PID (SIGTERM, then SIGKILL
# after 5 s) and forgets it. Only PIDs recorded by a start_* function.
stop_server() {
    local pid=$1 i j needle="" pids=() needles=()
    for i in "${!SERVER_PIDS[@]}"; do
        if [[ "${SERVER_PIDS[$i]}" == "$pid" ]]; then
            needle=${SERVER_NEEDLE[$i]}
        else
            pids+=("${SERVER_PIDS[$i]}")
            needles+=("${SERVER_NEEDLE[$i]}")
        fi
    done
    SERVER_PIDS=("${pids[@]}")
    SERVER_NEEDLE=("${needles[@]}")
    if [[ -z "$needle" ]]; then
        echo "stop_server: $pid is not a server this test started" >&2
        return 1
    fi
    if ! _server_is "$pid" "$needle"; then
        return 0 # already gone (and the PID is not reused by something else)
    fi
    kill "$pid" 2>/dev/null || true
    for ((j = 0; j < 50; j++)); do
        _server_is "$pid" "$needle" || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    return 0
}

# servers_stop_all : stops every server this test started and still runs.
servers_stop_all() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        stop_server "$pid" || true
    done
}

_servers_on_exit() {
    local rc=$?
    set +e
    servers_stop_all
    (exit "$rc")
    _cleanup # lib.sh's: summary, scratch folder, exit status
}
trap _servers_on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# hub_init DIR : an empty bare hub repository (branch main) that accepts
# pushes over smart HTTP too (http.receivepack: git-http-backend otherwise
# requires an authenticated user for receive-pack).
hub_init() {
    git init -q --bare --initial-branch=main "$1" &&
        git --git-dir="$1" config http.receivepack true
}

# ---- git daemon -------------------------------------------------------------

# start_git_daemon BASE : serves every repository under BASE over git://,
# with pushes (receive-pack) enabled. Sets GIT_DAEMON_PORT, GIT_DAEMON_PID
# and GIT_DAEMON_URL (git://127.0.0.1:PORT). Tries a few ports.
start_git_daemon() {
    local base attempt port pidf pid
    base=$(cd "$1" && pwd -P)
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        pidf="$T/git-daemon.$port.pid"
        rm -f "$pidf"
        git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$base" \
            --export-all --enable=receive-pack --pid-file="$pidf" --detach \
            </dev/null >/dev/null 2>>"$T/git-daemon.log" || continue
        pid=$(_read_pid_file "$pidf") || continue
        _server_register "$pid" "$pidf"
        if wait_port "$port" "$pid" 10; then
            GIT_DAEMON_PORT=$port
            GIT_DAEMON_PID=$pid
            GIT_DAEMON_URL="git://127.0.0.1:$port"
            return 0
        fi
        stop_server "$pid" || true
    done
    _servers_abort "git daemon did not start on 127.0.0.1 (5 ports tried): $(tail -n 5 "$T/git-daemon.log" 2>/dev/null | tr '\n' ' ')"
}

# stop_git_daemon : stops the daemon of start_git_daemon.
stop_git_daemon() {
    stop_server "$GIT_DAEMON_PID"
}

# ---- lighttpd + git-http-backend ------------------------------------------

# http_backend_path : prints the path of git-http-backend (git --exec-path).
http_backend_path() {
    echo "$(git --exec-path)/git-http-backend"
}

# lighttpd_bin : prints the lighttpd binary (also looked for in /usr/sbin,
# which is not on every user's PATH).
lighttpd_bin() {
    local b
    b=$(command -v lighttpd 2>/dev/null || true)
    if [[ -z "$b" && -x /usr/sbin/lighttpd ]]; then
        b=/usr/sbin/lighttpd
    fi
    [[ -n "$b" ]] && echo "$b"
}

# require_http_server : FAILS the test (not a skip) unless lighttpd and
# git-http-backend are installed.
require_http_server() {
    if ! lighttpd_bin >/dev/null; then
        _servers_abort "lighttpd is not installed: the smart-HTTP transport cannot be tested (run scripts/setup, or apt-get install lighttpd)"
    fi
    if [[ ! -x "$(http_backend_path)" ]]; then
        _servers_abort "git-http-backend not found at $(http_backend_path): the smart-HTTP transport cannot be tested (install git)"
    fi
}

# start_lighttpd ROOT : serves the repositories under ROOT over smart HTTP
# at http://127.0.0.1:PORT/git/NAME. Sets HTTPD_PORT, HTTPD_PID and HTTPD_URL
# (http://127.0.0.1:PORT/git). Its config, pid file and logs are in $T/httpd.
start_lighttpd() {
    local root bin backend dir attempt port conf pidf pid
    require_http_server
    root=$(cd "$1" && pwd -P)
    bin=$(lighttpd_bin)
    backend=$(http_backend_path)
    dir="$T/httpd"
    mkdir -p "$dir/htdocs"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        conf="$dir/lighttpd.$port.conf"
        pidf="$dir/lighttpd.$port.pid"
        rm -f "$pidf"
        cat >"$conf" <<EOF
server.modules = ("mod_alias", "mod_setenv", "mod_cgi")
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$pidf"
server.document-root = "$dir/htdocs"
server.errorlog = "$dir/error.log"
alias.url = ("/git" => "$backend")
\$HTTP["url"] =~ "^/git" {
    cgi.assign = ("" => "")
    setenv.set-environment = (
        "GIT_PROJECT_ROOT" => "$root",
        "GIT_HTTP_EXPORT_ALL" => "1"
    )
}
EOF
        # lighttpd daemonizes once it listens, and writes its pid file.
        "$bin" -f "$conf" </dev/null >/dev/null 2>>"$dir/start.log" || continue
        pid=$(_read_pid_file "$pidf") || continue
        _server_register "$pid" "$conf"
        if wait_port "$port" "$pid" 10; then
            HTTPD_PORT=$port
            HTTPD_PID=$pid
            HTTPD_URL="http://127.0.0.1:$port/git"
            return 0
        fi
        stop_server "$pid" || true
    done
    _servers_abort "lighttpd did not start on 127.0.0.1 (5 ports tried): $(tail -n 5 "$dir/start.log" "$dir/error.log" 2>/dev/null | tr '\n' ' ')"
}

# stop_lighttpd : stops the server of start_lighttpd.
stop_lighttpd() {
    stop_server "$HTTPD_PID"
}
