#!/usr/bin/env bash
# Start or stop Podman's Docker-compatible API socket for this checkout, by PID.
#   eval "$(ci_scripts/container_engine.sh start)"   # prints `export DOCKER_HOST=...`
#   ci_scripts/container_engine.sh stop
# Where a Docker engine already answers (DOCKER_HOST set, or /var/run/docker.sock), prints
# nothing and starts nothing: that engine is used unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
run_dir="${HANGAR_ENGINE_DIR:-$PWD/.hangar/engine}"
sock="$run_dir/podman.sock"
pid_file="$run_dir/podman-service.pid"

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

case "${1:-}" in
  start)
    if [ -z "${HANGAR_FORCE_PODMAN:-}" ] && command -v docker >/dev/null 2>&1 \
        && docker info >/dev/null 2>&1 && ! running; then
      echo "[engine] a Docker engine answers: using it" >&2
      exit 0
    fi
    if ! command -v podman >/dev/null 2>&1; then
      echo "ERROR: no container engine: run ci_scripts/install_container_engine.sh" >&2
      exit 1
    fi
    mkdir -p "$run_dir"
    if ! running; then
      rm -f "$sock"
      # --time=0: serve until stopped (by PID, below), not only for 5 s of idleness.
      setsid podman system service --time=0 "unix://$sock" >"$run_dir/podman-service.log" 2>&1 &
      echo $! >"$pid_file"
      for _ in $(seq 1 100); do
        [ -S "$sock" ] && DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1 && break
        sleep 0.1
      done
      [ -S "$sock" ] || { echo "ERROR: podman's API socket did not appear; see $run_dir/podman-service.log" >&2; exit 1; }
      echo "[engine] podman API at unix://$sock (pid $(cat "$pid_file"))" >&2
      # Tells the caller it started the socket now, and so should stop it when done.
      echo "export HANGAR_ENGINE_STARTED=1"
    fi
    echo "export DOCKER_HOST=unix://$sock"
    # The classic builder: Podman's API does not serve BuildKit.
    echo "export DOCKER_BUILDKIT=0"
    ;;
  stop)
    if running; then
      kill "$(cat "$pid_file")"
      echo "[engine] stopped podman API (pid $(cat "$pid_file"))" >&2
    fi
    rm -f "$pid_file" "$sock"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
