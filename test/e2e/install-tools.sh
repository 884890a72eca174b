#!/usr/bin/env bash
# Installs what the real-VS-Code tier needs on a fresh Debian machine, once (VSCODE-E2E.md recipe 2):
# Debian's Chromium and ripgrep, the headers code-server's native modules compile against, and
# code-server 4.100.3 (VS Code 1.100) on the machine's Node 20 in a cache folder outside the repo.
# Prints the code-server executable's path as its last line.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
TOOLS="${TIDEMARK_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tidemark-e2e}"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
if [ ! -x "$CS_BIN" ]; then
  for pkg in libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev pkg-config build-essential python3; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
  done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e: apt-get install ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

if [ ! -x "$CS_BIN" ]; then
  echo "e2e: installing code-server $CODE_SERVER_VERSION into $CS_DIR (compiles native modules; a few minutes)" >&2
  rm -rf "$CS_DIR.partial"
  mkdir -p "$CS_DIR.partial"
  # @vscode/ripgrep's postinstall downloads a release from GitHub unless this cache file exists;
  # Debian's rg in a tar.gz at its root satisfies it offline.
  export TMPDIR="${TMPDIR:-/tmp}"
  RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RG_CACHE"
  RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -f "$RG_TAR" ]; then
    tar -czf "$RG_TAR" -C "$(dirname "$(command -v rg)")" rg
  fi
  (
    cd "$CS_DIR.partial"
    echo '{"name":"tidemark-e2e-tools","private":true}' > package.json
    npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" >&2
  )
  rm -rf "$CS_DIR"
  mv "$CS_DIR.partial" "$CS_DIR"
fi
echo "$CS_BIN"
