#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# exe_wrapper of `meson test --setup=valgrind`: check programs run under
# valgrind directly; shell tests run as they are and put every caps-probe
# they start under valgrind (lib.sh reads VC_VALGRIND).
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
--errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes --track-fds=no
--suppressions=$(dirname "$0")/valgrind.supp"
case $(head -c 2 "$1") in
'#!')
	VC_VALGRIND=$(echo $VG) exec "$@"
	;;
*)
	# shellcheck disable=SC2086
	exec $VG "$@"
	;;
esac
