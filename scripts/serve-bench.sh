#!/usr/bin/env bash
# Sourced by the scripts that measure a running `likely serve` (bench-proxy.sh, load.sh): their
# options, the server binary they run, Debian packages they install when missing, and free loopback
# ports.

# Sets a shell variable per option of "$@", named as the option. `spec` lists the options allowed:
# `NAME=DEFAULT` for `--NAME VALUE`, `NAME` for a flag `--NAME` (1 when given, else empty). Any other
# argument is refused.
read_options() { # spec args...
  local word valued=" " flags=" " option
  for word in $1; do
    if [[ "$word" == *=* ]]; then
      printf -v "${word%%=*}" '%s' "${word#*=}"
      valued+="${word%%=*} "
    else
      printf -v "$word" '%s' ""
      flags+="$word "
    fi
  done
  shift
  while [[ $# -gt 0 ]]; do
    option="${1#--}"
    if [[ "$1" != --* ]]; then
      echo "unknown argument $1" >&2
      exit 2
    elif [[ "$valued" == *" $option "* && $# -ge 2 ]]; then
      printf -v "$option" '%s' "$2"
      shift 2
    elif [[ "$valued" == *" $option "* ]]; then
      echo "$1 needs a value" >&2
      exit 2
    elif [[ "$flags" == *" $option "* ]]; then
      printf -v "$option" 1
      shift
    else
      echo "unknown option $1" >&2
      exit 2
    fi
  done
}

# The start every measuring script shares: its options (`spec` as read_options takes it), the server
# binary in $bin (below the checkout `root`) and wrk.
bench_start() { # spec args...
  read_options "$@"
  bin="$(likely_bin "$root")"
  install_missing wrk wrk
}

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
