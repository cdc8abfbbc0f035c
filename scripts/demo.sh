#!/usr/bin/env bash
# make demo: the embedded Temporal dev server, a local worker, and a real campaign (configs/demo.yaml:
# ~2,000 NCI molecules, xtb GFN2 HOMO-LUMO gaps) with live progress. Stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export CASCADE_HOME=${CASCADE_HOME:-$PWD/.cascade}
cascade() { node bin/cascade.js "$@"; }
mkdir -p "$CASCADE_HOME"

cascade validate configs/demo.yaml
server_was_running=0
cascade server status >/dev/null 2>&1 && server_was_running=1
cascade server start
# node directly (not the shell function): $! must be the worker itself, so that cleanup stops it
node bin/cascade.js worker > "$CASCADE_HOME/demo-worker.log" 2>&1 &
worker=$!
cleanup() {
  # SIGTERM: the worker finishes what it is doing and exits (Temporal's graceful shutdown)
  kill -TERM "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true
  if [ "$server_was_running" = 0 ]; then cascade server stop >/dev/null || true; fi
}
trap cleanup EXIT
echo "worker pid $worker (log: $CASCADE_HOME/demo-worker.log)"

# --restart: a second `make demo` starts afresh and answers every xtb calculation it already ran from the store
cascade launch configs/demo.yaml --restart --watch
echo
echo "The campaign is in the Temporal Web UI while the server runs: cascade server start, then open"
echo "  http://localhost:8233/namespaces/default/workflows?query=CascadeCampaign%3D%22demo%22"
