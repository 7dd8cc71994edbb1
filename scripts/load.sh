#!/usr/bin/env bash
# Load test of `likely serve` on loopback against the embedded models: wrk at 200 connections posting a
# short scoring request, mixed with generation requests whose clients give up after 2 s
# (`curl --max-time 2`, send-and-disconnect). Reports the answers by status (only 200 and the
# documented 503 "busy" may appear), p50/p99 latency, peak memory (VmHWM) and the CPU the server uses in
# the seconds after the load ends (its work must end with its requests).
#   bash scripts/load.sh [--duration SECONDS] [--connections N]   (env DURATION, CONNECTIONS; default 60, 200)
# Uses $LIKELY_BIN (default target/release/likely); installs Debian's wrk when missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/serve-bench.sh"
bench_start "duration=${DURATION:-60} connections=${CONNECTIONS:-200}" "$@"
work="$(mktemp -d)"
port="$(free_port)"
url="http://127.0.0.1:$port"
"$bin" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
generator=""
cleanup() {
  [[ -n "$generator" ]] && kill "$generator" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -sf "$url/healthz" >/dev/null && break
  sleep 0.1
done
curl -sf "$url/healthz" >/dev/null || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }

cat >"$work/score.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"base-light","prompt":"To be, or not to be, that is the question","max_tokens":1,"temperature":1,"k":0,"p":0.75,"return_likelihoods":"ALL"}'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local totals = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do totals[status] = (totals[status] or 0) + n end
  end
  for status, n in pairs(totals) do io.write(string.format("status %d: %d\n", status, n)) end
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("requests %d in %.1f s: %.0f/s\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
end
LUA

# Send-and-disconnect generations: long answers the client abandons after 2 s.
(
  while [[ ! -e "$work/stop" ]]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Content-Type: application/json' \
      -d '{"model":"base-light","prompt":"To be","max_tokens":4096,"temperature":1,"num_generations":4}' \
      "$url/v1/generate" || true)
    echo "$code" >>"$work/generations"
  done
) &
generator=$!

ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
echo "== load: wrk -t2 -c$connections -d${duration}s (scoring) + curl --max-time 2 generations, $bin"
wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s -s "$work/score.lua" "$url/v1/generate" | tee "$work/wrk.out"
# The load ends when the last client is gone: the generation loop finishes its current curl (≤ 2 s).
touch "$work/stop"
wait "$generator" 2>/dev/null || true
generator=""
end=$(ticks)
sleep 1
one=$(ticks)
sleep 1
two=$(ticks)
after="$(( (one - end) * 1000 / hz )) ms, $(( (two - one) * 1000 / hz )) ms"
for _ in 1 2 3; do
  before=$(ticks); sleep 1; after="$after, $(( ($(ticks) - before) * 1000 / hz )) ms"
done
echo "generation clients: $(sort "$work/generations" | uniq -c | awk '{printf "%s×%s ", $2, $1}')(000 = gave up after 2 s)"
echo "peak memory (VmHWM): $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status"), now $(awk '/VmRSS/ {print $2, $3}' "/proc/$server/status")"
echo "server CPU in each of the 5 seconds after the load: $after"
bad=$(grep '^status' "$work/wrk.out" | grep -v -E '^status (200|503):' || true)
if [[ -n "$bad" ]]; then echo "FAIL: unexpected statuses: $bad"; exit 1; fi
if (( (two - one) * 1000 / hz > 50 )); then echo "FAIL: the server still works a second after the load"; exit 1; fi
echo "load: OK"
