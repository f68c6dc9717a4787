#!/usr/bin/env bash
# Rolling restart of PM2's cluster profile, one node at a time (`pm2 reload ecosystem.config.js`
# reloads every node at once, so all clients reconnect in the same second). PM2 starts the node's
# new process and waits for its ready signal (wait_ready: listening and Redis reachable) while the
# old one still serves; then the old one drains on SIGTERM: its clients get server_shutdown and
# reconnect. The next node goes only once this one answers GET /ready.
#   CHAT_PROFILE=cluster deploy/pm2/rolling-restart.sh
set -euo pipefail
ports="${CHAT_CLUSTER_PORTS:-3001,3002}"
ready_deadline_s="${READY_DEADLINE_S:-30}"

wait_ready() {
  local port="$1" tries=$((ready_deadline_s * 10))
  for ((try = 0; try < tries; try++)); do
    curl -fsS -o /dev/null "http://127.0.0.1:${port}/ready" && return 0
    sleep 0.1
  done
  return 1
}

index=0
for port in ${ports//,/ }; do
  index=$((index + 1))
  name="random-chat-backend-${index}"
  echo "restarting ${name} (port ${port})"
  pm2 reload "${name}"
  if ! wait_ready "${port}"; then
    echo "${name} is not ready on port ${port} after ${ready_deadline_s} s; stopping the rollout" >&2
    exit 1
  fi
  echo "${name} ready"
done
