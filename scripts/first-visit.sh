#!/usr/bin/env bash
# Measures a visitor's first and repeat visit of the dashboard served by `likely serve`: the bytes of
# each file on the wire with a browser's `Accept-Encoding` (curl), then headless Chromium with an empty
# cache, on loopback and on an emulated 10 Mbit/s link with 40 ms latency: when the page is drawn and
# when the model list is in, and what a second visit downloads again (nothing but a revalidated
# index.html, if the cache headers are right).
#   bash scripts/first-visit.sh                          # after scripts/build.sh
#   LIKELY_BIN=target/debug/likely bash scripts/first-visit.sh
#   bash scripts/first-visit.sh --screenshot docs/evaluation.png   # also: the page after the worked example
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="${LIKELY_BIN:-target/release/likely}"
dist="${LIKELY_DIST:-dist}"
screenshot=""
[ "${1:-}" = "--screenshot" ] && screenshot="${2:?--screenshot FILE}"

work="$(mktemp -d)"
server="" driver=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$driver" ] && kill "$driver" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --port 0 --dist "$dist" --store none >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 600); do grep -q 'http://' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)"
[ -n "$base" ] || { cat "$work/serve.err" >&2; echo "the server did not start" >&2; exit 1; }

accept="gzip, deflate, br, zstd"
echo "== bytes on the wire (Accept-Encoding: $accept), $base"
total=0
for path in $(grep -o '\(href\|src\)="/[^"]*"' "$dist/index.html" | sed 's/.*="\(.*\)"/\1/' | sort -u); do
  line="$(curl -s -o /dev/null -H "Accept-Encoding: $accept" \
    -w '%{size_download} %{content_type} %header{content-encoding} %header{cache-control}' "$base$path")"
  bytes="${line%% *}"
  case "$path" in *.wasm | *.js) total=$((total + bytes)) ;; esac
  printf '%-48s %s\n' "$path" "$line"
done
printf 'wasm + JS: %d bytes (%.1f KiB)\n' "$total" "$(echo "$total / 1024" | bc -l)"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
chromedriver --port="$port" >/dev/null 2>&1 &
driver=$!
python3 - "http://127.0.0.1:$port" "$base" "$work" "$screenshot" <<'PY'
import json, sys, time, urllib.request

driver, base, work, screenshot = sys.argv[1:5]

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(driver + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as answer:
        return json.load(answer)["value"]

for _ in range(100):
    try:
        call("GET", "/status")
        break
    except OSError:
        time.sleep(0.1)

# Marks taken inside the page: when the evaluation page's button exists (the app is drawn) and when the
# baseline picker lists the models (the first answer of the API is in).
MARKS = """
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks;
  if (!m.drawn && document.querySelector('[data-testid="evaluate-button"]')) m.drawn = performance.now();
  if (!m.models && document.querySelector('[data-testid="baseline-select"] option')) m.models = performance.now();
}).observe(document, {childList: true, subtree: true});
"""
WAIT = """
const done = arguments[arguments.length - 1];
const check = () => window.__marks && window.__marks.models ? done(window.__marks) : setTimeout(check, 20);
check();
"""
RESOURCES = """
return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .map(e => ({name: new URL(e.name).pathname, transfer: e.transferSize, encoded: e.encodedBodySize,
              decoded: e.decodedBodySize}));
"""

def session(profile):
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1800", f"--user-data-dir={profile}"]}}}}
    sid = call("POST", "/session", caps)["sessionId"]
    call("POST", f"/session/{sid}/goog/cdp/execute",
         {"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": MARKS}})
    return sid

def visit(sid):
    call("POST", f"/session/{sid}/url", {"url": base + "/"})
    marks = call("POST", f"/session/{sid}/execute/async", {"script": WAIT, "args": []})
    resources = call("POST", f"/session/{sid}/execute/sync", {"script": RESOURCES, "args": []})
    return marks, resources

def report(label, marks, resources):
    wire = sum(r["transfer"] for r in resources if r["name"].endswith((".wasm", ".js")))
    print(f"{label}: drawn at {marks['drawn']:.0f} ms, models listed at {marks['models']:.0f} ms; "
          f"wasm + JS transferred {wire} bytes")
    for r in resources:
        print(f"    {r['name']:<48} transferred {r['transfer']:>9}  body {r['encoded']:>9} -> {r['decoded']:>9}")

for label, conditions in [("loopback", None),
                          ("10 Mbit/s, 40 ms", {"offline": False, "latency": 40,
                                                "download_throughput": 1_250_000,
                                                "upload_throughput": 1_250_000})]:
    sid = session(f"{work}/profile-{len(label)}")
    if conditions:
        call("POST", f"/session/{sid}/chromium/network_conditions", {"network_conditions": conditions})
    report(f"first visit, cold cache, {label}", *visit(sid))
    report(f"repeat visit, {label}", *visit(sid))
    if screenshot and not conditions:
        call("POST", f"/session/{sid}/execute/sync", {"script":
             "document.querySelector('[data-testid=\"example-button\"]').click();", "args": []})
        call("POST", f"/session/{sid}/execute/async", {"script": """
            const done = arguments[arguments.length - 1];
            const check = () => document.querySelector('[data-testid="avg-loglik-custom-base-light"]')
              && document.querySelector('[data-testid="chart-snippets"]') ? setTimeout(() => done(1), 1500)
              : setTimeout(check, 50);
            check();""", "args": []})
        import base64
        png = call("GET", f"/session/{sid}/screenshot")
        with open(screenshot, "wb") as out:
            out.write(base64.b64decode(png))
        print(f"screenshot: {screenshot}")
    call("DELETE", f"/session/{sid}")
PY
