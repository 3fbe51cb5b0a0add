# Shared by the virtual-board scripts (sourced, not run). Sets the paths, error helpers and the
# package installer they all use.
#
# Environment:
#   VIGIL_VIRTUAL_BOARD_CACHE  where the guest is built and cached (default: .build-virtual-board
#                              in the repository; git ignores .build-*)
#   VIGIL_BUILD_PATH           SwiftPM's scratch path for the binaries run in the guest
#                              (default: .build, where `swift build` and Tools/test put them)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$repo/Tools/virtual-board"
cache="${VIGIL_VIRTUAL_BOARD_CACHE:-$repo/.build-virtual-board}"
build_path="${VIGIL_BUILD_PATH:-$repo/.build}"
case "$build_path" in /*) ;; *) build_path="$repo/$build_path" ;; esac
script_name="virtual-board/$(basename "$0")"

die() {
    echo "$script_name: error: $*" >&2
    exit 1
}

note() {
    echo "$script_name: $*" >&2
}

# Installs the Debian packages named that are missing, through apt-get (as Tools/setup does).
ensure_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    note "installing ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "installing ${missing[*]} needs root: run as root, or install sudo"
        sudo=sudo
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        $sudo apt-get update -qq || die "apt-get update failed"
        $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
            || die "apt-get could not install ${missing[*]}"
    fi
}

# The packages the host needs to build and run the guest.
host_packages=(
    qemu-system-x86   # the guest machine (software emulation: KVM cannot boot it here)
    busybox-static    # the guest's initramfs userland
    cpio              # packs the initramfs
    kmod              # depmod and modprobe, to lay out the guest's modules
    xz-utils          # unpacks the kernel source and modules
    make              # builds gpio-sim against the kernel headers
    python3           # reads the board description (JSON) into a gpio-sim layout
)

# The SwiftPM binaries the scripts use.
vigil_binary() { echo "$build_path/debug/vigil"; }

# Builds vigil, and the movie writer's plug-in it opens from beside itself (no product links
# it), where either is missing; prints vigil's path.
ensure_vigil() {
    local vigil
    vigil="$(vigil_binary)"
    if [ ! -x "$vigil" ]; then
        note "building vigil in $build_path"
        (cd "$repo" && swift build --product vigil --scratch-path "$build_path" >&2) || die "swift build --product vigil failed"
    fi
    if [ ! -f "$(dirname "$vigil")/libVigilMatroska.so" ]; then
        (cd "$repo" && swift build --product VigilMatroska --scratch-path "$build_path" >&2) || die "swift build --product VigilMatroska failed"
    fi
    echo "$vigil"
}
