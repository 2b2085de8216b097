#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/VocabFuzz) with the fuzzer and address sanitizer and runs
# each for a fixed time from its seed corpus (Fuzz/seeds/<target>).
#
#   Scripts/fuzz.sh                 every target, 60 s for loaders and 30 s for encoders (CI)
#   Scripts/fuzz.sh 3600 tiktoken   one target for an hour
#
# A crash stops the run with the failing input in .build-fuzz/artifacts/; replay it with
#   FUZZ_TARGET=tiktoken .build/debug/vocab-fuzz .build-fuzz/artifacts/crash-...
# and add it to Fuzz/regressions/<target>/, which `swift test` replays (FuzzRegressionTests).
# The log of each run (executions, coverage) goes to .build-fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(tokenizer-json sentencepiece-model tiktoken vocab-txt gpt2 counts gguf
           encode-bpe encode-tiktoken encode-wordpiece encode-unigram encode-scored-bpe encode-hybrid encode-word-level)
fi

# 1. Build (release: several times the executions per second of debug; a separate build folder).
swift build -c release --product vocab-fuzz --build-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=address -Xcxx -fsanitize=address 2>&1 | grep -v "warning: Cannot export" | tail -3
binary=.build-fuzz/release/vocab-fuzz
mkdir -p .build-fuzz/artifacts .build-fuzz/logs .build-fuzz/corpus

# 2. Run each target from a copy of its seeds (new inputs libFuzzer finds stay out of the repo).
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
status=0
for target in "${targets[@]}"; do
  time="${seconds:-$([[ $target == encode-* ]] && echo 30 || echo 60)}"
  work=.build-fuzz/corpus/$target
  mkdir -p "$work"
  cp -n Fuzz/seeds/"$target"/* "$work"/ 2>/dev/null || true
  dict=()
  [ "$target" = tokenizer-json ] && dict=(-dict=Fuzz/tokenizer-json.dict)
  if FUZZ_TARGET=$target "$binary" "$work" "${dict[@]}" -max_total_time="$time" -timeout=20 -rss_limit_mb=4096 \
       -max_len=65536 -artifact_prefix=.build-fuzz/artifacts/"$target"- -print_final_stats=1 > .build-fuzz/logs/"$target".log 2>&1; then
    runs=$(grep -m1 '^stat::number_of_executed_units' .build-fuzz/logs/"$target".log | awk '{print $2}')
    echo "fuzz $target: ${runs:-?} executions in ${time} s, no crash"
  else
    echo "fuzz $target: FAILED (log .build-fuzz/logs/$target.log)"
    grep -E "ERROR|Fatal error|SUMMARY|Test unit written" .build-fuzz/logs/"$target".log | head -8
    status=1
  fi
done
exit $status
