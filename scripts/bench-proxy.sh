#!/usr/bin/env bash
# The latency `likely serve` adds in front of a loopback upstream, side by side in one run: nginx
# serves a fixed 54-token Cohere v1 Generate answer on loopback; wrk posts the same request
#   1. to nginx directly,
#   2. through a plain nginx proxy hop (keep-alive to the upstream),
#   3. through `likely serve` with a `cohere` model pointing at that nginx,
# at 1 and 64 connections, and prints the median and p99 latency, the requests per second, and for
# `likely serve` the CPU time it used per request (user + system, from /proc/<pid>/stat: far less
# sensitive to other load on the machine than latency).
#   bash scripts/bench-proxy.sh [--duration SECONDS] [--perf]   (env DURATION; default 10)
# --perf records `perf` samples of the proxy during its 64-connection run (PERF_CONNECTIONS=1: the
# one-connection run) and prints where it spends its time (needs Debian's linux-perf; PERF_KEEP=FILE
# keeps the samples).
# Uses $LIKELY_BIN (default target/release/likely); installs Debian's nginx-light and wrk when missing.
# Run it on an otherwise idle machine: wrk, nginx and the proxy share the cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/serve-bench.sh"
bench_start "duration=${DURATION:-10} perf" "$@"
[[ -x /usr/sbin/nginx ]] || install_missing nginx-light nginx
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

work="$(mktemp -d)"
chmod a+rx "$work" # nginx's workers (another user when run as root) read the answer file
upstream_port="$(free_port)"
hop_port="$(free_port)"
likely_port="$(free_port)"
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [[ -f "$work/nginx.pid" ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The request and the upstream's answer: 53 prompt tokens and one generated token, 54 in all.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
words = ("To be, or not to be, that is the question: Whether 'tis nobler in the mind to suffer "
         "The slings and arrows of outrageous fortune, Or to take arms against a sea of troubles "
         "And by opposing end them. To die-to sleep, No more; and by a sleep to say we end The "
         "heart-ache and the thousand natural shocks").split(" ")
pieces = [words[0]] + [" " + w for w in words[1:]]
pieces = pieces[:53]
prompt = "".join(pieces)
tokens = [{"token": pieces[0]}] + [
    {"token": p, "likelihood": round(-0.5 - (i % 7) * 0.31, 4)} for i, p in enumerate(pieces[1:])
] + [{"token": " the", "likelihood": -1.25}]
answer = {"id": "bench-1", "prompt": prompt,
          "generations": [{"id": "gen-1", "text": " the", "likelihood": -1.25,
                           "finish_reason": "MAX_TOKENS", "token_likelihoods": tokens}],
          "meta": {"billed_units": {"input_tokens": 53, "output_tokens": 1}}}
assert len(tokens) == 54
open(f"{work}/answer.json", "w").write(json.dumps(answer))
request = {"model": "cohere-bench", "prompt": prompt, "max_tokens": 1, "temperature": 1,
           "k": 0, "p": 0.75, "return_likelihoods": "ALL"}
open(f"{work}/request.json", "w").write(json.dumps(request))
PY

mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  upstream cohere { server 127.0.0.1:$upstream_port; keepalive 128; }
  # The upstream: the fixed Cohere answer.
  server {
    listen 127.0.0.1:$upstream_port;
    location = /v1/generate {
      client_body_buffer_size 64k;
      default_type application/json;
      alias $work/answer.json;
      error_page 405 =200 \$uri;
    }
  }
  # A plain proxy hop in front of it.
  server {
    listen 127.0.0.1:$hop_port;
    location / {
      proxy_pass http://cohere;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
"$nginx_bin" -c "$work/nginx.conf" -p "$work/nginx"

cat >"$work/likely.toml" <<TOML
[limits]
max_concurrent = 256 # the benchmark measures the proxy, not its queue
max_queued = 256

[[models]]
name = "cohere-bench"
backend = "cohere"
base_url = "http://127.0.0.1:$upstream_port"
upstream_model = "command"
api_key_env = "LIKELY_BENCH_COHERE_KEY"
TOML
LIKELY_BENCH_COHERE_KEY=bench-key-not-secret "$bin" serve --host 127.0.0.1 --port "$likely_port" \
  --config "$work/likely.toml" --store none --dist /nonexistent \
  --custom-models-dir "$work/models" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$likely_port/healthz" >/dev/null && break
  sleep 0.1
done

# Each target must answer the request with 200 and the 54 tokens before it is timed.
for port in "$upstream_port" "$hop_port" "$likely_port"; do
  answer="$(curl -sS -f -H 'Content-Type: application/json' --data-binary @"$work/request.json" \
    "http://127.0.0.1:$port/v1/generate")" || { echo "no answer on port $port"; tail -n 5 "$work/server.log" "$work/nginx/error.log"; exit 1; }
  tokens="$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["generations"][0]["token_likelihoods"]))' <<<"$answer")"
  [[ "$tokens" == 54 ]] || { echo "port $port answered $tokens tokens"; exit 1; }
done

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
body = open(f"{work}/request.json").read().replace("\\", "\\\\").replace("'", "\\'")
open(f"{work}/post.lua", "w").write(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{body}'
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.0f %.0f %d\\n", latency:percentile(50), latency:percentile(99),
    summary.requests / (summary.duration / 1e6), bad))
end
""")
PY

echo "== proxy overhead: wrk -d${duration}s POST /v1/generate (54-token Cohere answer), load average $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
printf '%-14s %5s %12s %12s %10s %7s %14s\n' target conns 'p50 (µs)' 'p99 (µs)' 'req/s' errors 'CPU/req (µs)'

declare -A median
for connections in 1 64; do
  threads=$(( connections == 1 ? 1 : 2 ))
  for target in "direct:$upstream_port" "nginx-hop:$hop_port" "likely:$likely_port"; do
    name="${target%%:*}"; port="${target##*:}"
    recorder=""
    if [[ -n "$perf" && "$name" == likely && "$connections" == "${PERF_CONNECTIONS:-64}" ]]; then
      perf record -q -F 499 -g -p "$server" -o "$work/perf.data" -- sleep "$duration" 2>/dev/null &
      recorder=$!
    fi
    before=$(cpu_ticks)
    result="$(wrk -t"$threads" -c"$connections" -d"${duration}s" -s "$work/post.lua" \
      "http://127.0.0.1:$port/v1/generate" | awk '/^RESULT/ {print $2, $3, $4, $5}')"
    used=$(( $(cpu_ticks) - before ))
    read -r p50 p99 rps bad <<<"$result"
    cpu="-"
    if [[ "$name" == likely ]]; then
      cpu=$(python3 -c "print(round($used * 1e6 / $hz / ($rps * $duration)))")
    fi
    printf '%-14s %5d %12s %12s %10s %7s %14s\n' "$name" "$connections" "$p50" "$p99" "$rps" "$bad" "$cpu"
    median["$name"]=$p50
    [[ -n "$recorder" ]] && wait "$recorder"
  done
  # The yardstick: what likely adds at the median, against what a plain nginx hop adds.
  python3 - "${median[direct]}" "${median[nginx-hop]}" "${median[likely]}" "$connections" <<'PY'
import sys
direct, hop, likely, conns = (float(x) for x in sys.argv[1:])
added_hop, added_likely = hop - direct, likely - direct
ratio = added_likely / added_hop if added_hop > 0 else float("inf")
print(f"   added at the median, {conns:.0f} connection(s): nginx hop {added_hop:.0f} µs, "
      f"likely {added_likely:.0f} µs = {ratio:.1f}x the hop (target <= 2x)")
PY
done
if [[ -n "$perf" ]]; then
  echo "== where likely spends its time (perf, ${PERF_CONNECTIONS:-64} connection(s); self time by symbol)"
  [[ -n "${PERF_KEEP:-}" ]] && cp "$work/perf.data" "$PERF_KEEP" # to look further: perf report -i FILE
  perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E "^ +[0-9]" | cut -c1-150 | head -40 || true
fi
