#!/usr/bin/env bash
# Runs each fuzz target of an ASan + UBSan build for SECONDS seconds:
#   tests/fuzz/run.sh BUILD_DIR SECONDS
# Corpora start from the repository's .hebb files (CompilerFuzzer and
# FrontendFuzzer) and .npy files (NpyFuzzer) and grow in BUILD_DIR/fuzz;
# a crash, a hang over 2 s or a leak stops a target, fails the script, and
# leaves the input in BUILD_DIR/fuzz/artifacts. Inputs once found are kept
# in tests/fuzz/regressions/<target> and replayed first.
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$build/fuzz
mkdir -p "$work/artifacts"
status=0
for target in FrontendFuzzer CompilerFuzzer NpyFuzzer; do
  corpus=$work/corpus-$target
  mkdir -p "$corpus"
  if [ "$target" = NpyFuzzer ]; then
    find "$root/tests" "$root/examples" -name '*.npy' -size -64k \
      -exec cp -n {} "$corpus/" \;
  else
    while IFS= read -r f; do
      cp -n "$f" "$corpus/$(echo "$f" | sed "s|$root/||; s|/|_|g")"
    done < <(find "$root/tests" "$root/examples" "$root/stdlib" "$root/bench" \
               -name '*.hebb' -size -64k)
  fi
  regressions=$root/tests/fuzz/regressions/$target
  dirs=("$corpus")
  [ -d "$regressions" ] && dirs+=("$regressions")
  dict=()
  [ "$target" != NpyFuzzer ] && dict=(-dict="$root/tests/fuzz/hebb.dict")
  echo "fuzz: $target for ${seconds}s"
  log=$work/$target.log
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "$build/bin/$target" "${dirs[@]}" "${dict[@]}" \
       -max_total_time="$seconds" -timeout=2 -rss_limit_mb=4096 \
       -max_len=4096 -artifact_prefix="$work/artifacts/$target-" \
       -print_final_stats=1 > "$log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$log" |
      sed "s/^/  $target: /"
  else
    echo "fuzz: $target FAILED; the end of $log:"
    tail -40 "$log"
    status=1
  fi
done
exit $status
