# servers.sh - test servers for the end-to-end tests: git daemon (git://),
# lighttpd running git-http-backend (smart http://, and https:// with basic
# authentication), OpenSSH's sshd (ssh://) and ssh-agent, each on 127.0.0.1
# only and on a free port. Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/servers.sh"
#   hub_init "$T/srv/hub.git"
#   start_git_daemon "$T/srv"   # sets GIT_DAEMON_PORT, GIT_DAEMON_PID, GIT_DAEMON_URL
#   start_lighttpd "$T/srv"     # sets HTTPD_PORT, HTTPD_PID, HTTPD_URL (…/git)
#   start_lighttpd_tls "$T/srv" USERS  # sets HTTPS_PORT, HTTPS_PID, HTTPS_URL, HTTPS_CA
#   start_sshd AUTHORIZED_KEYS  # sets SSHD_PORT, SSHD_PID, SSHD_HOST_KEY, SSH_TEST_USER
#   start_ssh_agent             # exports SSH_AUTH_SOCK; sets SSH_AGENT_TEST_PID
#
# Each start_* records the PID of the server it started (read from the pid
# file the server writes: the PID of `git daemon` itself, not of a wrapper).
# stop_server PID kills exactly that PID, after checking that it still is
# that server (its command line names this test's pid file or config), and
# never anything chosen by name. An EXIT trap, run before lib.sh's cleanup,
# stops every server still running however the test ends (failed assertion,
# unexpected error, SIGINT/SIGTERM).
#
# A server that cannot start, or a missing lighttpd / git-http-backend /
# sshd, is a test FAILURE with a message saying what is missing
# (scripts/setup installs them), never a silent skip. sshd runs as the
# current user (root in CI: then it needs its privilege separation folder
# /run/sshd, which start_sshd creates if missing, empty, as the
# openssh-server package would at boot).

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

# _start_lighttpd ROOT NAME SCHEME EXTRA_MODULES EXTRA_CONF : starts lighttpd
# serving the repositories under ROOT at /git/NAME, with EXTRA_MODULES
# (', "mod_x"...') loaded before mod_cgi and EXTRA_CONF appended to its
# config; sets _LIGHTTPD_PORT and _LIGHTTPD_PID. Its config, pid file and
# logs are in $T/NAME.
_start_lighttpd() {
    local root bin backend dir attempt port conf pidf pid
    require_http_server
    root=$(cd "$1" && pwd -P)
    bin=$(lighttpd_bin)
    backend=$(http_backend_path)
    dir="$T/$2"
    mkdir -p "$dir/htdocs"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        conf="$dir/lighttpd.$port.conf"
        pidf="$dir/lighttpd.$port.pid"
        rm -f "$pidf"
        cat >"$conf" <<EOF
server.modules = ("mod_alias", "mod_setenv"$4, "mod_cgi")
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
$5
EOF
        # lighttpd daemonizes once it listens, and writes its pid file.
        "$bin" -f "$conf" </dev/null >/dev/null 2>>"$dir/start.log" || continue
        pid=$(_read_pid_file "$pidf") || continue
        _server_register "$pid" "$conf"
        if wait_port "$port" "$pid" 10; then
            _LIGHTTPD_PORT=$port
            _LIGHTTPD_PID=$pid
            return 0
        fi
        stop_server "$pid" || true
    done
    _servers_abort "lighttpd ($3) did not start on 127.0.0.1 (5 ports tried): $(tail -n 5 "$dir/start.log" "$dir/error.log" 2>/dev/null | tr '\n' ' ')"
}

# start_lighttpd ROOT : serves the repositories under ROOT over smart HTTP
# at http://127.0.0.1:PORT/git/NAME. Sets HTTPD_PORT, HTTPD_PID and HTTPD_URL
# (http://127.0.0.1:PORT/git). Its config, pid file and logs are in $T/httpd.
start_lighttpd() {
    _start_lighttpd "$1" httpd http "" ""
    HTTPD_PORT=$_LIGHTTPD_PORT
    HTTPD_PID=$_LIGHTTPD_PID
    HTTPD_URL="http://127.0.0.1:$HTTPD_PORT/git"
}

# tls_make_ca DIR : a certificate authority of this test (DIR/ca.pem,
# DIR/ca.key) and a server certificate it signed for localhost and
# 127.0.0.1 (DIR/server.pem, DIR/server.key), made with openssl.
tls_make_ca() {
    local d=$1
    command -v openssl >/dev/null ||
        _servers_abort "openssl is not installed: the https transport cannot be tested (run scripts/setup)"
    mkdir -p "$d"
    if ! {
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=ccmsync test CA" -keyout "$d/ca.key" -out "$d/ca.pem" &&
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
                -keyout "$d/server.key" -out "$d/server.csr" &&
            printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
                "keyUsage=digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server.ext" &&
            openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
                -CAcreateserial -days 2 -extfile "$d/server.ext" -out "$d/server.pem"
    } >>"$d/openssl.log" 2>&1; then
        _servers_abort "openssl could not make the test certificates: $(tail -n 3 "$d/openssl.log" | tr '\n' ' ')"
    fi
}

# require_tls_module : FAILS the test unless lighttpd has its TLS module.
require_tls_module() {
    if [[ ! -e /usr/lib/lighttpd/mod_openssl.so ]]; then
        _servers_abort "lighttpd's TLS module is not installed: the https transport cannot be tested (run scripts/setup, or apt-get install lighttpd-mod-openssl)"
    fi
}

# start_lighttpd_tls ROOT USERS : start_lighttpd over https, with basic
# authentication of every request against USERS (lines "user:password");
# the certificate is for localhost, signed by a CA of this test
# (tls_make_ca). Sets HTTPS_PORT, HTTPS_PID, HTTPS_URL
# (https://localhost:PORT/git: Debian's libgit2, on mbedTLS, checks a
# certificate's DNS names, not IP addresses) and HTTPS_CA (the CA's
# certificate, which no system store trusts). Files in $T/httpsd and $T/tls.
start_lighttpd_tls() {
    local users
    require_http_server
    require_tls_module
    users=$(cd "$(dirname "$2")" && pwd -P)/$(basename "$2")
    tls_make_ca "$T/tls"
    _start_lighttpd "$1" httpsd https ', "mod_openssl", "mod_auth", "mod_authn_file"' "
ssl.engine = \"enable\"
ssl.pemfile = \"$T/tls/server.pem\"
ssl.privkey = \"$T/tls/server.key\"
auth.backend = \"plain\"
auth.backend.plain.userfile = \"$users\"
auth.require = (\"/git\" => (\"method\" => \"basic\", \"realm\" => \"ccmsync test\", \"require\" => \"valid-user\"))"
    HTTPS_PORT=$_LIGHTTPD_PORT
    HTTPS_PID=$_LIGHTTPD_PID
    HTTPS_URL="https://localhost:$HTTPS_PORT/git"
    HTTPS_CA="$T/tls/ca.pem"
}

# stop_lighttpd_tls : stops the server of start_lighttpd_tls.
stop_lighttpd_tls() {
    stop_server "$HTTPS_PID"
}

# stop_lighttpd : stops the server of start_lighttpd.
stop_lighttpd() {
    stop_server "$HTTPD_PID"
}

# ---- OpenSSH: sshd and ssh-agent ---------------------------------------------

# sshd_bin : prints the sshd binary (an absolute path: sshd re-executes itself).
sshd_bin() {
    local b
    for b in "$(command -v sshd 2>/dev/null || true)" /usr/sbin/sshd; do
        if [[ -n "$b" && -x "$b" ]]; then
            echo "$b"
            return 0
        fi
    done
    return 1
}

# require_sshd : FAILS the test (not a skip) unless sshd and the ssh client
# tools are installed.
require_sshd() {
    local t
    if ! sshd_bin >/dev/null; then
        _servers_abort "sshd is not installed: the ssh transport cannot be tested (run scripts/setup, or apt-get install openssh-server)"
    fi
    for t in ssh-keygen ssh-keyscan ssh-agent ssh-add; do
        command -v "$t" >/dev/null ||
            _servers_abort "$t is not installed: the ssh transport cannot be tested (run scripts/setup, or apt-get install openssh-client)"
    done
}

# start_sshd AUTHORIZED_KEYS : an sshd of this test on 127.0.0.1, with its
# own host key (ed25519), config and log in $T/sshd, running as the current
# user, who may log in with the public keys listed in AUTHORIZED_KEYS (and
# nothing else). Sets SSHD_PORT, SSHD_PID, SSHD_HOST_KEY (the host key's
# .pub file) and SSH_TEST_USER.
start_sshd() {
    local keys bin dir attempt port conf pidf pid
    require_sshd
    keys=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
    bin=$(sshd_bin)
    dir="$T/sshd"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/host_ed25519" ]]; then
        ssh-keygen -q -t ed25519 -N '' -C ccmsync-test-host -f "$dir/host_ed25519" ||
            _servers_abort "ssh-keygen could not make sshd's host key"
    fi
    if [[ "$(id -u)" -eq 0 && ! -d /run/sshd ]]; then
        mkdir -p -m 0755 /run/sshd
    fi
    SSH_TEST_USER=$(id -un)
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        conf="$dir/sshd.$port.conf"
        pidf="$dir/sshd.$port.pid"
        rm -f "$pidf"
        cat >"$conf" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
PidFile $pidf
AuthorizedKeysFile $keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowUsers $SSH_TEST_USER
MaxAuthTries 10
LogLevel VERBOSE
EOF
        # sshd daemonizes once it listens, and writes its pid file.
        "$bin" -f "$conf" -E "$dir/sshd.log" </dev/null >/dev/null 2>>"$dir/start.log" || continue
        pid=$(_read_pid_file "$pidf") || continue
        _server_register "$pid" "$conf"
        if wait_port "$port" "$pid" 10; then
            SSHD_PORT=$port
            SSHD_PID=$pid
            SSHD_HOST_KEY="$dir/host_ed25519.pub"
            return 0
        fi
        stop_server "$pid" || true
    done
    _servers_abort "sshd did not start on 127.0.0.1 (5 ports tried): $(tail -n 5 "$dir/start.log" "$dir/sshd.log" 2>/dev/null | tr '\n' ' ')"
}

# stop_sshd : stops the server of start_sshd.
stop_sshd() {
    stop_server "$SSHD_PID"
}

# start_ssh_agent : an ssh-agent of this test on its own socket
# ($T/agent/sock); exports SSH_AUTH_SOCK and sets SSH_AGENT_TEST_PID. It is
# stopped by PID like the servers.
start_ssh_agent() {
    local dir="$T/agent" out pid
    mkdir -p "$dir"
    chmod 700 "$dir"
    rm -f "$dir/sock"
    out=$(ssh-agent -a "$dir/sock" -s </dev/null 2>>"$dir/start.log") ||
        _servers_abort "ssh-agent did not start: $(tail -n 3 "$dir/start.log" | tr '\n' ' ')"
    pid=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")
    [[ "$pid" =~ ^[0-9]+$ ]] || _servers_abort "ssh-agent gave no PID: $out"
    _server_register "$pid" "$dir/sock"
    export SSH_AUTH_SOCK="$dir/sock"
    SSH_AGENT_TEST_PID=$pid
}

# stop_ssh_agent : stops the agent of start_ssh_agent.
stop_ssh_agent() {
    stop_server "$SSH_AGENT_TEST_PID"
    unset SSH_AUTH_SOCK
}

# ---- an HTTP CONNECT proxy ----------------------------------------------------

_PY_PROXY='
import os, socket, sys, threading
port, log = int(sys.argv[1]), sys.argv[2]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(16)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            c.close()
            return
        head += d
    line = head.split(b"\r\n")[0].decode("latin-1")
    with open(log, "a") as f:
        f.write(line + "\n")
    parts = line.split()
    host, _, p = parts[1].rpartition(":") if len(parts) == 3 and parts[0] == "CONNECT" else ("", "", "")
    if host not in ("localhost", "127.0.0.1") or not p.isdigit():
        c.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")  # loopback only
        c.close()
        return
    try:
        u = socket.create_connection(("127.0.0.1", int(p)))
    except OSError:
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        c.close()
        return
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
    pipe(c, u)
with open(log + ".pid", "w") as f:
    f.write(str(os.getpid()))
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'

# start_connect_proxy : an HTTP proxy of this test on 127.0.0.1 (CONNECT to
# localhost or 127.0.0.1 only); each request line is appended to
# $T/proxy/log. Sets PROXY_PORT and PROXY_PID.
start_connect_proxy() {
    local dir="$T/proxy" attempt port pid
    mkdir -p "$dir"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        rm -f "$dir/log.pid"
        python3 -c "$_PY_PROXY" "$port" "$dir/log" </dev/null >/dev/null 2>>"$dir/start.log" &
        pid=$(_read_pid_file "$dir/log.pid") || continue
        _server_register "$pid" "$dir/log"
        if wait_port "$port" "$pid" 10; then
            PROXY_PORT=$port
            PROXY_PID=$pid
            return 0
        fi
        stop_server "$pid" || true
    done
    _servers_abort "the test proxy did not start: $(tail -n 5 "$dir/start.log" 2>/dev/null | tr '\n' ' ')"
}
