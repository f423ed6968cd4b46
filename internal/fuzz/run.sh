#!/usr/bin/env bash
# run.sh runs every Go fuzz target of the repository (or of the packages
# given as arguments), one after the other, each for FUZZTIME, and prints a
# table of execs, new inputs and crashes per target. A crash leaves its
# input in the package's testdata/fuzz/<Target>/ (keep it there as a
# regression seed once fixed) and makes the script exit 1.
#
#	FUZZTIME=30s internal/fuzz/run.sh                 # every target, 30 s each
#	FUZZTIME=5m FUZZPARALLEL=1 internal/fuzz/run.sh ./server/...
#	FUZZ_MATCH=Filter internal/fuzz/run.sh            # only targets whose name matches
#
# Targets are found with `go test -list '^Fuzz'` in every package that has
# a func Fuzz* in a _test.go file. Logs go to $FUZZ_LOG_DIR (default a temp
# dir, printed at the end).
set -uo pipefail

FUZZTIME=${FUZZTIME:-30s}
FUZZPARALLEL=${FUZZPARALLEL:-}
FUZZ_MATCH=${FUZZ_MATCH:-}
GO=${GO:-go}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
logdir=${FUZZ_LOG_DIR:-$(mktemp -d -t armsflow-fuzz.XXXXXX)}
mkdir -p "$logdir"
patterns=("$@")
[ ${#patterns[@]} -eq 0 ] && patterns=(./...)

# Packages with a fuzz target: directories of _test.go files declaring one.
mapfile -t dirs < <($GO list -f '{{.Dir}}' "${patterns[@]}" 2>/dev/null)
pkgs=()
for d in "${dirs[@]}"; do
	if grep -qs '^func Fuzz[A-Z0-9_a-z]*(f \*testing\.F)' "$d"/*_test.go; then
		pkgs+=("./${d#"$root"/}")
	fi
done
if [ ${#pkgs[@]} -eq 0 ]; then
	echo "no fuzz targets under ${patterns[*]}" >&2
	exit 2
fi

par=()
[ -n "$FUZZPARALLEL" ] && par=(-parallel "$FUZZPARALLEL")
rows=()
failed=0
total=0
for p in "${pkgs[@]}"; do
	mapfile -t targets < <($GO test -list '^Fuzz' "$p" 2>"$logdir/list.err" | grep '^Fuzz')
	if [ ${#targets[@]} -eq 0 ]; then
		rows+=("$(printf '%-22s %-28s %12s %8s %s' "$p" "-" "-" "-" "BUILD FAILED (see $logdir/list.err)")")
		failed=1
		continue
	fi
	for t in "${targets[@]}"; do
		if [ -n "$FUZZ_MATCH" ] && [[ "$t" != *"$FUZZ_MATCH"* ]]; then
			continue
		fi
		total=$((total + 1))
		log="$logdir/$(echo "$p" | tr '/.' '__')-$t.log"
		echo "== $p $t ($FUZZTIME)" >&2
		$GO test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" "${par[@]}" "$p" >"$log" 2>&1
		rc=$?
		# the last progress line: "fuzz: elapsed: 5m0s, execs: 123456 (411/sec), new interesting: 5 (total: 20)"
		last=$(grep -E '^fuzz: elapsed: .*execs: ' "$log" | tail -1)
		execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
		newi=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
		status=ok
		if [ $rc -ne 0 ]; then
			status="FAILED (log $log)"
			if grep -q 'Failing input written to' "$log"; then
				status="CRASH: $(grep -o 'testdata/fuzz/[^ ]*' "$log" | head -1) (log $log)"
			fi
			failed=1
		fi
		rows+=("$(printf '%-22s %-28s %12s %8s %s' "$p" "$t" "${execs:--}" "${newi:--}" "$status")")
	done
done

printf '\n%-22s %-28s %12s %8s %s\n' package target execs new result
printf '%s\n' "${rows[@]}"
echo "fuzztime $FUZZTIME per target, $total targets; logs in $logdir"
exit $failed
