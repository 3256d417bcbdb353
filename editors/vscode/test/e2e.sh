#!/usr/bin/env bash
# The extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) from npm, driven by
# playwright-core with Debian's chromium, opens a .nnet file with a shape error and checks that the
# editor shows the server's diagnostic, the shapes as inlay hints, and on hover a node's shape; then
# applies a quick fix and formats a file. Screenshots go to editors/vscode/test/output (or
# $NNET_E2E_OUT). Not part of `mvn -B verify`:
# the first run installs about 320 MB (code-server, chromium) and takes about ten minutes; later
# runs take about a minute. Needs root for apt-get (or the packages already installed).
#   editors/vscode/test/e2e.sh            # NNET_E2E_CACHE=~/.cache/nnet-vscode-e2e holds the downloads
# How code-server is installed is FACTS.md's recipe: its postinstall refuses root without
# npm_config_unsafe_perm, kerberos needs libkrb5-dev, and @vscode/ripgrep would download rg from a
# host this machine cannot reach, so scripts are skipped, natives rebuilt and Debian's rg linked.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ext="$(dirname "$here")"
root="$(cd "$ext/../.." && pwd)"
cache="${NNET_E2E_CACHE:-$HOME/.cache/nnet-vscode-e2e}"
server="$cache/code-server"
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr

missing=()
for p in libkrb5-dev ripgrep chromium; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

mkdir -p "$cache"
if [ ! -f "$server/.installed" ]; then
  echo "e2e: installing code-server 4.100.3 into $server (once; several minutes)" >&2
  rm -rf "$server" && mkdir -p "$server"
  (cd "$cache" && npm pack -q code-server@4.100.3 >/dev/null && tar -xzf code-server-4.100.3.tgz -C "$server" --strip-components=1 && rm code-server-4.100.3.tgz)
  (cd "$server" && npm install -q --omit=dev --ignore-scripts && npm rebuild argon2) # code-server loads argon2 even with --auth none
  (cd "$server/lib/vscode" && npm install -q --omit=dev --ignore-scripts)
  (cd "$server/lib/vscode/extensions" && npm install -q --omit=dev --ignore-scripts)
  (cd "$server/lib/vscode" && npm rebuild @parcel/watcher @vscode/spdlog node-pty kerberos native-watchdog)
  mkdir -p "$server/lib/vscode/node_modules/@vscode/ripgrep/bin"
  ln -sf /usr/bin/rg "$server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  ln -sfn node_modules "$server/lib/vscode/node_modules.asar"
  touch "$server/.installed"
fi
if [ ! -d "$cache/driver/node_modules/playwright-core" ]; then
  mkdir -p "$cache/driver" && (cd "$cache/driver" && npm init -y -q >/dev/null && npm install -q playwright-core@1.65.1)
fi

# the extension as users install it, and the compiler it starts
(cd "$ext" && npm ci -q && npm run -s build >/dev/null)
(cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests package)

run="$(mktemp -d)" pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$run"' EXIT
mkdir -p "$run/user/User" "$run/extensions" "$run/workspace"
export XDG_CONFIG_HOME="$run/config" # code-server writes its config.yaml there, not in ~/.config
printf '{"nnet.server.command": "%s", "workbench.startupEditor": "none", "security.workspace.trust.enabled": false}\n' "$root/nnetc" > "$run/user/User/settings.json"
cp "$here/e2e-bad.nnet" "$run/workspace/bad.nnet"
cp "$here/e2e-typo.nnet" "$run/workspace/typo.nnet"
out="${NNET_E2E_OUT:-$here/output}"
mkdir -p "$out"
node "$server/out/node/entry.js" --extensions-dir "$run/extensions" --user-data-dir "$run/user" --install-extension "$ext/nnet.vsix" >/dev/null
port=$(( 20000 + RANDOM % 20000 ))
node "$server/out/node/entry.js" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --extensions-dir "$run/extensions" --user-data-dir "$run/user" "$run/workspace" > "$run/code-server.log" 2>&1 &
pid=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
NODE_PATH="$cache/driver/node_modules" node "$here/e2e.mjs" "http://127.0.0.1:$port/?folder=$run/workspace" "$run" "$out" \
  || { echo "e2e: failed; code-server's log:" >&2; tail -40 "$run/code-server.log" >&2; exit 1; }
