# SPDX-License-Identifier: Apache-2.0
# Sourced by replay.sh and run-fuzzer.sh: fuzz_seeds TARGET prints the seed
# files of a target, one per line: inputs of that parser taken from the
# test data, plus tests/fuzz/seeds/TARGET and tests/fuzz/regressions/TARGET.
fuzz_seeds() {
	local t=$1 src=$TEST_SRC_DIR
	case $t in
	xml) find "$src/probe/golden" -name '*.xml' ;;
	featurefile) find "$src/probe/golden" -name 'labels.*' ;;
	labels) find "$src/probe/golden" -name 'labels.*' ;;
	nodelist) find "$src/aggregate/cluster" "$src/probe/golden" -name '*.json' ;;
	nodeyaml) find "$src/aggregate/cluster" -name 'nodes.yaml' ;;
	report) find "$src/aggregate/diff" "$src/aggregate/cluster" "$src/probe/golden" -name '*.yaml' -o -name '*.json' ;;
	kubeconfig) ;;
	# The tree parser reads reports, kubeconfigs and ExecCredentials.
	tree)
		fuzz_seeds report && fuzz_seeds kubeconfig
		return
		;;
	*) echo "unknown fuzz target $t" >&2; return 1 ;;
	esac
	for d in "$src/fuzz/seeds/$t" "$src/fuzz/regressions/$t"; do
		[ -d "$d" ] && find "$d" -type f ! -name '.*'
	done
	return 0
}
