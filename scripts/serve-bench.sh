#!/usr/bin/env bash
# Sourced by the scripts that measure a running `likely serve` (bench-proxy.sh, load.sh): the server
# binary they run, Debian packages they install when missing, and free loopback ports.

# The release server: $LIKELY_BIN, default target/release/likely below the checkout `root`; exits
# when it is not there.
likely_bin() { # root
  local bin="${LIKELY_BIN:-$1/target/release/likely}"
  [[ -x "$bin" ]] || { echo "no server binary at $bin: run scripts/build.sh" >&2; exit 1; }
  echo "$bin"
}

# Installs Debian's `package` unless `command` is on the PATH (apt-get update only when needed).
install_missing() { # package command
  command -v "$2" >/dev/null && return
  apt-get install -y "$1" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$1" >/dev/null; }
}

# A TCP port free on 127.0.0.1 now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
