# Shared by the scripts in this folder: root escalation and package installation.
# Sourced, not run.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Prints the packages of scripts/debian-packages.txt that are not installed yet. A line
# may name a command after the package: the package then counts as present when that
# command is (npm ships inside other Node.js builds, whose packages conflict with Debian's).
missing_packages() {
  local pkg command
  grep -Ev '^\s*(#|$)' "$repo_root/scripts/debian-packages.txt" | while read -r pkg command; do
    if [ -n "${command:-}" ] && command -v "$command" >/dev/null 2>&1; then continue; fi
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

# Installs whatever is missing; does nothing (and needs no network) when all is there.
ensure_packages() {
  local missing
  missing="$(missing_packages | tr '\n' ' ')"
  if [ -n "${missing// /}" ]; then
    echo "parley: installing Debian packages: $missing"
    as_root apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  fi
}

# Makes `apt-get source` possible: adds a deb-src entry for bookworm when none exists.
ensure_deb_src() {
  if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "parley: adding a deb-src entry for bookworm (for apt-get source imgui and fribidi)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      as_root tee /etc/apt/sources.list.d/parley-deb-src.sources >/dev/null
    as_root apt-get update -qq
  fi
}

# Configures a CMake preset once (ninja re-runs CMake itself when a CMakeLists changes).
build_preset_configure() {
  if [ ! -f "$repo_root/build/$1/build.ninja" ]; then
    (cd "$repo_root" && cmake --preset "$1") || return 1
  fi
}

# Configures if needed and builds a preset: everything, or the targets named after it.
build_preset() {
  local preset="$1"; shift
  build_preset_configure "$preset" || return 1
  if [ $# -gt 0 ]; then
    (cd "$repo_root" && cmake --build --preset "$preset" --target "$@")
  else
    (cd "$repo_root" && cmake --build --preset "$preset")
  fi
}
