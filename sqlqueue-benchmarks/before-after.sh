#!/usr/bin/env bash
# Drain and latency of two commits, measured in one interleaved run on PostgreSQL.
#
#   sqlqueue-benchmarks/before-after.sh [--rounds N] [--base-url URL] [--head-url URL] BASE_REF [-- BENCHMARK ARGS]
#
# Builds the benchmark jar of BASE_REF (in a temporary git worktree) and of the working tree, then runs
# their drain and latency scenarios in turn, base-head-head-base ..., so that a machine whose speed
# drifts weighs on both alike. Each run measures its own SQL ceiling; the summary compares the drain as a
# ratio to that ceiling and the latency percentiles, run by run and as medians.
# Each side gets a database of its own (their schemas differ between commits); by default the local
# PostgreSQL's sqlqueue_bench_base and sqlqueue_bench_head, created when missing.
# BENCHMARK ARGS go to both jars (default: --ceiling-seconds 5 --samples 300 drain latency).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
base_url='jdbc:postgresql://127.0.0.1:5432/sqlqueue_bench_base?user=postgres'
head_url='jdbc:postgresql://127.0.0.1:5432/sqlqueue_bench_head?user=postgres'
base_ref=''
bench_args=(--ceiling-seconds 5 --samples 300 drain latency)
usage() {
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
		--rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
		--base-url) base_url=${2:?--base-url needs a JDBC URL}; shift 2 ;;
		--head-url) head_url=${2:?--head-url needs a JDBC URL}; shift 2 ;;
		--) shift; bench_args=("$@"); break ;;
		-h|--help) usage ;;
		-*) echo "unknown option $1" >&2; usage ;;
		*) base_ref=$1; shift ;;
	esac
done
[ -n "$base_ref" ] || usage
git rev-parse --verify --quiet "$base_ref^{commit}" >/dev/null || { echo "not a commit: $base_ref" >&2; exit 2; }

ensure_database() { # JDBC URL; creates a local database named in it when psql can reach the server
	local name
	name=$(sed -E 's#^jdbc:postgresql://[^/]+/([^?]+).*#\1#' <<<"$1")
	if command -v psql >/dev/null && [[ "$1" == *"://127.0.0.1:5432/"* ]]; then
		psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
			|| psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $name"
	fi
}
ensure_database "$base_url"
ensure_database "$head_url"

out=sqlqueue-benchmarks/target/before-after
mkdir -p "$out"
worktree=$(mktemp -d)
trap 'git worktree remove --force "$worktree" >/dev/null 2>&1 || true' EXIT

echo "building $base_ref ($(git rev-parse --short "$base_ref")) and the working tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with uncommitted changes'))"
git worktree add --detach --quiet "$worktree" "$base_ref"
keep() { # built module folder, side: the jar and the lib/ folder its manifest names
	rm -rf "${out:?}/$2"
	mkdir -p "$out/$2"
	cp -r "$1/target/sqlqueue-benchmarks.jar" "$1/target/lib" "$out/$2/"
}
(cd "$worktree" && ./mvnw -B -q -pl sqlqueue-benchmarks -am package -DskipTests)
keep "$worktree/sqlqueue-benchmarks" base
./mvnw -B -q -pl sqlqueue-benchmarks -am package -DskipTests
keep sqlqueue-benchmarks head

run() { # side, round
	local side=$1 url
	[ "$side" = base ] && url=$base_url || url=$head_url
	echo "round $2: $side"
	java -jar "$out/$side/sqlqueue-benchmarks.jar" --url "$url" "${bench_args[@]}" >"$out/$side-$2.log" 2>&1 \
		|| { echo "the $side run of round $2 failed; see $out/$side-$2.log" >&2; exit 1; }
}
for round in $(seq 1 "$rounds"); do
	if [ $((round % 2)) -eq 1 ]; then run base "$round"; run head "$round"; else run head "$round"; run base "$round"; fi
done

# One line per run: side, round, drain jobs/s, its ceiling (claim-complete-100), drain/ceiling,
# then p50 and p99 of each latency variant that reports them.
summary() { # side, round
	awk -v side="$1" -v round="$2" '
		function num(s) { gsub(/[,\/s()×]/, "", s); return s + 0 }
		/^drain / {
			for (i = 1; i <= NF; i++) {
				if ($i == "jobs/s") rate = num($(i - 1))
				if ($i == "claim-complete-100") ceiling = num($(i + 1))
			}
		}
		/^latency / && / p50 / {
			label = $0; sub(/^latency +/, "", label); sub(/ +p50 .*/, "", label)
			for (i = 1; i <= NF; i++) {
				if ($i == "p50" && !(label in p50)) p50[label] = $(i + 1)
				if ($i == "p99" && !(label in p99)) p99[label] = $(i + 1)
			}
			order[++n] = label
		}
		END {
			printf "%-5s %5s %10.0f %10.0f %6.3f", side, round, rate, ceiling, (ceiling > 0 ? rate / ceiling : 0)
			for (i = 1; i <= n; i++) printf "   %s p50 %s p99 %s", order[i], p50[order[i]], p99[order[i]]
			printf "\n"
		}' "$out/$1-$2.log"
}
{
	for round in $(seq 1 "$rounds"); do summary base "$round"; summary head "$round"; done
} >"$out/summary.txt"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "side  round   drain/s  ceiling/s  ratio   latency (ms)"
cat "$out/summary.txt"
echo
for side in base head; do
	ratio=$(awk -v s=$side '$1 == s { print $5 }' "$out/summary.txt" | median)
	rate=$(awk -v s=$side '$1 == s { print $3 }' "$out/summary.txt" | median)
	echo "$side: drain median $rate jobs/s, median ratio to the ceiling $ratio"
done
for variant in 'floor: SQL only' 'same JVM, notify' 'other JVM, notify'; do
	for side in base head; do
		line=$(grep "^$side " "$out/summary.txt" | grep -o "$variant p50 [0-9.]* p99 [0-9.]*" || true)
		[ -n "$line" ] || continue
		p50=$(awk '{ print $(NF - 2) }' <<<"$line" | median)
		p99=$(awk '{ print $NF }' <<<"$line" | median)
		echo "$side: latency $variant: median p50 $p50 ms, median p99 $p99 ms"
	done
done
echo "logs: $out"
