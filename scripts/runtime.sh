# Sourced by ./meterline: puts a Node.js of the supported line and the pinned pnpm first on
# PATH, installing them into the cache directory when the machine lacks them. Node's binary
# comes from the npm registry (package node-linux-<arch>), so no other download site is needed.

MTL_NODE_VERSION=24.22.3   # installed when the machine's node is older than MTL_NODE_MIN
MTL_NODE_MIN=24.6
MTL_PNPM_VERSION=11.28.10

runtime_cache_dir() {
  printf '%s\n' "${MTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/meterline}"
}

runtime_say() { printf 'meterline: %s\n' "$*" >&2; }

# True when `node` on PATH is at least MTL_NODE_MIN.
node_is_supported() {
  command -v node >/dev/null 2>&1 || return 1
  node -e '
    const [want, got] = [process.argv[1], process.versions.node].map((v) => v.split(".").map(Number));
    process.exit(got[0] > want[0] || (got[0] === want[0] && got[1] >= want[1]) ? 0 : 1);
  ' "$MTL_NODE_MIN"
}

# npm fetches the Node package; a machine without any Node gets Debian's npm for that.
need_npm_for_bootstrap() {
  command -v npm >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    runtime_say "installing Debian's npm (only to fetch Node $MTL_NODE_VERSION from the npm registry)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
    command -v npm >/dev/null 2>&1 && return 0
  fi
  runtime_say "Node.js $MTL_NODE_MIN or later is needed, and npm to install it (neither found; install Node.js $MTL_NODE_MIN+)"
  exit 1
}

node_package_arch() {
  case "$(uname -m)" in
    x86_64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) runtime_say "no Node.js package for $(uname -m) on the npm registry: install Node.js $MTL_NODE_MIN+ yourself"; exit 1 ;;
  esac
}

install_node() {
  local home=$1 scratch package
  need_npm_for_bootstrap
  package="node-linux-$(node_package_arch)@$MTL_NODE_VERSION"
  runtime_say "installing Node.js $MTL_NODE_VERSION ($package from the npm registry)"
  # Unpacked beside its final place and renamed: an interrupted install never looks complete.
  scratch=$(mktemp -d "$home.tmp-XXXXXX")
  (cd "$scratch" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz)
  rm -rf "$home"
  mv "$scratch/package" "$home"
  rm -rf "$scratch"
}

install_pnpm() {
  local home=$1 scratch
  runtime_say "installing pnpm $MTL_PNPM_VERSION from the npm registry"
  scratch=$(mktemp -d "$home.tmp-XXXXXX")
  npm install --silent --no-audit --no-fund --prefix "$scratch" "pnpm@$MTL_PNPM_VERSION" >/dev/null
  rm -rf "$home"
  mv "$scratch" "$home"
}

# The directory holding include/node of the node in use, for native add-ons (node-gyp).
node_headers_dir() {
  local prefix
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -d "$prefix/include/node" ] && printf '%s\n' "$prefix"
}

use_runtime() {
  local cache node_home pnpm_home headers
  cache=$(runtime_cache_dir)
  mkdir -p "$cache"
  # One installer at a time per cache (parallel jobs, two terminals).
  exec 9>"$cache/runtime.lock"
  flock 9
  if ! node_is_supported; then
    node_home="$cache/node-$MTL_NODE_VERSION"
    [ -x "$node_home/bin/node" ] || install_node "$node_home"
    export PATH="$node_home/bin:$PATH"
  fi
  pnpm_home="$cache/pnpm-$MTL_PNPM_VERSION"
  [ -x "$pnpm_home/node_modules/.bin/pnpm" ] || install_pnpm "$pnpm_home"
  export PATH="$pnpm_home/node_modules/.bin:$PATH"
  flock -u 9
  exec 9>&-
  # Native add-ons are compiled for the node that runs them, not the machine's npm default.
  if headers=$(node_headers_dir); then export npm_config_nodedir="$headers"; fi
}
