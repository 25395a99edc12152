#!/usr/bin/env bash
# Builds the Debian package of kscope from this source tree with dpkg-deb
# (no debhelper): the binary, the systemd unit, /etc/kscope/kscope.yaml (a
# conffile holding `kscope run --print-default-config`), the state directory
# and the maintainer scripts of packaging/debian/.
#
#   scripts/build_deb.sh [--binary PATH] [--version V] [--output DIR]
#
# --binary: a kscope already built (default: build the kscope target into
#   $KSCOPE_BUILD_DIR, or build/). --version: the package version (default:
#   the project version of CMakeLists.txt, plus +git<commits>.<hash> in a git
#   checkout, so that later commits sort later). --output: where the .deb
#   goes (default: the build folder). Prints the .deb's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${KSCOPE_BUILD_DIR:-$root/build}"
binary="" version="" output=""
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    *) echo "build_deb: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

if [[ -z "$binary" ]]; then
  cmake -S "$root" -B "$build" -DKSCOPE_WERROR=ON ${KSCOPE_CMAKE_ARGS:-} >/dev/null
  cmake --build "$build" -j "$(nproc)" --target kscope >/dev/null
  binary="$build/kscope"
fi
[[ -x "$binary" ]] || { echo "build_deb: no kscope binary at $binary" >&2; exit 1; }
if [[ -z "$version" ]]; then
  version=$(sed -nE 's/^project\(kscope VERSION ([0-9.]+).*/\1/p' "$root/CMakeLists.txt")
  [[ -n "$version" ]] || { echo "build_deb: no project version in CMakeLists.txt" >&2; exit 1; }
  if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    version+="+git$(git -C "$root" rev-list --count HEAD).$(git -C "$root" rev-parse --short=8 HEAD)"
  fi
fi
output="${output:-$build}"
mkdir -p "$output"
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Staged as debian/kscope/ under $work: where dpkg-shlibdeps expects a
# package's files.
pkg="$work/debian/kscope"
install -d -m 755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/etc/kscope" \
  "$pkg/usr/lib/tmpfiles.d" "$pkg/usr/share/doc/kscope"
install -d -m 750 "$pkg/var/lib/kscope"
# Debug info off (125 MB to 5 MB); the symbol table stays, so kscope's own
# frames keep their names in its flame graphs.
objcopy --strip-debug "$binary" "$pkg/usr/bin/kscope"
chmod 755 "$pkg/usr/bin/kscope"
install -m 644 "$root/packaging/systemd/kscope.service" "$pkg/lib/systemd/system/kscope.service"
install -m 644 "$root/packaging/debian/tmpfiles.conf" "$pkg/usr/lib/tmpfiles.d/kscope.conf"
# The documented defaults, from the binary packaged (the same text as the
# embedded config it runs without --config).
"$binary" run --print-default-config >"$pkg/etc/kscope/kscope.yaml"
"$binary" run --check-config "$pkg/etc/kscope/kscope.yaml" >/dev/null
chmod 644 "$pkg/etc/kscope/kscope.yaml"
install -m 644 "$root/README.md" "$pkg/usr/share/doc/kscope/README.md"
for script in postinst prerm postrm; do
  install -m 755 "$root/packaging/debian/$script" "$pkg/DEBIAN/$script"
done
echo /etc/kscope/kscope.yaml >"$pkg/DEBIAN/conffiles"

# Depends from the libraries the binary links (their shlibs and symbols
# files), as dh_shlibdeps computes them.
mkdir -p "$work/debian"
printf 'Source: kscope\n\nPackage: kscope\nArchitecture: any\n' >"$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O -e debian/kscope/usr/bin/kscope 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ -n "$depends" ]] || { echo "build_deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -print | sed 's#^\./##' | LC_ALL=C sort |
  xargs md5sum >DEBIAN/md5sums)
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
  "$root/packaging/debian/control.in" >"$pkg/DEBIAN/control"

deb="$output/kscope_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
