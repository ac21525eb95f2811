#!/usr/bin/env bash
# A multi-user Nix for the real-nix suites: the system's nix-daemon (Debian 12's 2.8) serving
# /nix/store to an unprivileged test user, as a multi-user install does. Run as root.
#
#   daemon.sh start   creates the nixbld build users and the test user if missing, starts the
#                     daemon unless one of ours already runs, and waits until it answers.
#                     Prints "started PID" or "running PID" on stdout's last line.
#   daemon.sh stop    stops the daemon this script started (by its pid), if it runs.
#
# The root single-user runs share the store and go on working while the daemon runs: root can
# write /nix/var/nix, so its nix opens the store directly and never uses the socket.
set -euo pipefail

TEST_USER=${NIXSHELL_TEST_USER:-nixshell-test}
BUILD_USERS=4
state=${NIXSHELL_DAEMON_STATE:-/run/nixshell-nix-daemon}
socket=/nix/var/nix/daemon-socket/socket
pidfile=$state/pid

[ "$(id -u)" = 0 ] || {
  echo "daemon.sh: must run as root" >&2
  exit 1
}

# The pid of the daemon we started, if it still runs (a reused pid would not be nix-daemon).
running_pid() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nix-daemon ] && echo "$pid"
}

# Whether a daemon accepts connections on the socket.
answers() {
  env -i PATH=/usr/bin:/bin HOME=/ NIX_REMOTE=daemon \
    nix --extra-experimental-features nix-command store ping >/dev/null 2>&1
}

start() {
  # Build users, as the installer makes them: the daemon runs builds as these, never as root.
  getent group nixbld >/dev/null || groupadd --system nixbld
  for n in $(seq 1 "$BUILD_USERS"); do
    getent passwd "nixbld$n" >/dev/null ||
      useradd --system --no-create-home --home-dir /var/empty --shell /usr/sbin/nologin \
        --gid nixbld --groups nixbld --comment "Nix build user $n" "nixbld$n"
  done
  getent passwd "$TEST_USER" >/dev/null ||
    useradd --create-home --shell /bin/bash --comment "Nix Shell tests" "$TEST_USER"

  if pid=$(running_pid); then
    echo "running $pid"
    return
  fi
  if [ -S "$socket" ] && answers; then
    echo "daemon.sh: a nix-daemon this script did not start answers on $socket:" >&2
    pgrep -a nix-daemon >&2 || true
    exit 1
  fi

  mkdir -p "$state"
  # The daemon's own configuration, as a multi-user install's nix.conf: an untrusted user
  # cannot change these. Offline (no substituters) and unsandboxed like the single-user runs,
  # whose builtins-only derivations call /bin/bash.
  cat >"$state/nix.conf" <<CONF
build-users-group = nixbld
sandbox = false
substituters =
CONF
  rm -f "$socket"
  # Its own session and process group, so `stop` takes the per-connection workers with it; and
  # an environment of its own, as a service has (the caller's TMPDIR or NIX_PATH are not its).
  env -i PATH=/usr/bin:/bin NIX_CONF_DIR="$state" setsid nix-daemon </dev/null >"$state/log" 2>&1 9>&- &
  local pid=$! waited status
  echo "$pid" >"$pidfile"
  # Until it answers, "ours" is this pid alive: for a moment after the fork it is still env or
  # setsid, not yet nix-daemon, which running_pid would take for a daemon that is gone.
  for waited in $(seq 1 300); do
    if [ -S "$socket" ] && answers; then
      echo "started $pid"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "daemon.sh: nix-daemon (pid $pid) did not answer on $socket in $((waited / 10)) s" >&2
  else
    wait "$pid" && status=0 || status=$?
    echo "daemon.sh: nix-daemon ended with status $status before it answered" >&2
  fi
  echo "daemon.sh: its log:" >&2
  cat "$state/log" >&2
  kill -KILL -- "-$pid" 2>/dev/null || true
  stop
  exit 1
}

stop() {
  local pid
  if pid=$(running_pid); then
    # The daemon leads its process group: signal the group, and wait for all of it.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  # The socket of a daemon that is gone: left behind, it would make an unprivileged nix try to
  # connect to nothing.
  if [ -S "$socket" ] && ! answers; then rm -f "$socket"; fi
}

# Two test runs starting or stopping at once would each remove the other's socket or pidfile:
# one of them at a time.
mkdir -p "$state"
exec 9>"$state.lock"
flock 9

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: daemon.sh start|stop" >&2
    exit 2
    ;;
esac
