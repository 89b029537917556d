#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make install DESTDIR=... PREFIX=/usr` into a temporary directory: the
# binaries, the unit (ExecStart in PREFIX/bin), the LICENSE, and man pages that render with
# `man -l` without warnings.  usage: test_install.sh BUILD_DIR
set -euo pipefail
build=$1
dest=$(mktemp -d /tmp/fanout-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then echo "ok   $what"; pass=$((pass + 1)); else echo "FAIL $what"; fail=$((fail + 1)); fi
}

make -s install BUILD="$build" DESTDIR="$dest" PREFIX=/usr >/dev/null
for prog in $(sed -n 's/^PROGRAMS *= *//p' Makefile); do
	check "bin/$prog installed and runs --version" "$dest/usr/bin/$prog" --version
	page=$dest/usr/share/man/man1/$prog.1
	check "man page $prog.1 installed" test -f "$page"
	# man -l through man-db and groff; groff's warnings go to stderr.
	check "man -l $prog.1 renders its NAME without warnings" \
		bash -c "out=\$(MANWIDTH=80 man -l '$page' 2>&1 >/dev/null); [ -z \"\$out\" ] &&
			 MANWIDTH=80 man -l '$page' 2>/dev/null | grep -q '^NAME'"
done
unit=$dest/usr/lib/systemd/system/fanoutd.service
check "unit installed" test -f "$unit"
check "unit's ExecStart is PREFIX/bin/fanoutd" grep -qx 'ExecStart=/usr/bin/fanoutd' "$unit"
check "unit has no placeholder left" bash -c "! grep -q '@[A-Z]*@' '$unit'"
check "LICENSE installed as share/doc/fanout/LICENSE" cmp -s LICENSE "$dest/usr/share/doc/fanout/LICENSE"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
