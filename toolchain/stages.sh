#!/usr/bin/env bash
# Runs named stages (name, command, name, command...), each under a header, stops at the first failure
# (after waiting for any background stage), and ends with each stage's duration: what `make test` prints.
#
# A name starting with "&" runs its stage in the background, beside the stages that follow, with its
# output kept in .cache/stages/NAME.log and shown when it ends (after the next foreground stage, or at
# the end). make test runs the forge campaigns (multi-threaded, CPU-bound) beside pytest (one core,
# mostly waiting on the chain): on 2 cores that takes the wall time of the longer one, not their sum.
set -uo pipefail
names=()
times=()
status=0
started=$SECONDS
background=() # "name pid log" of stages still running
mkdir -p .cache/stages

record() { # name seconds exit-status
  names+=("$1")
  times+=("$2")
  if (($3 != 0)); then
    printf '\n==> %s FAILED (exit %d)\n' "$1" "$3"
    status=$3
  fi
}

join_background() { # waits for every background stage, shows its output, records it
  local entry name pid log code
  for entry in "${background[@]}"; do
    read -r name pid log <<<"$entry"
    wait "$pid"
    code=$?
    printf '\n==> %s (ran beside the stages above; its output)\n' "$name"
    cat "$log"
    record "$name" "$(cat "$log.seconds")" "$code"
  done
  background=()
}

while (($# >= 2)) && ((status == 0)); do
  name=$1 command=$2
  shift 2
  if [[ $name == "&"* ]]; then
    name=${name#&}
    log=.cache/stages/$name.log
    printf '\n==> %s (in the background; output in %s, shown when it ends)\n' "$name" "$log"
    (
      begin=$SECONDS
      bash -o pipefail -c "$command"
      code=$?
      echo $((SECONDS - begin)) >"$log.seconds"
      exit "$code"
    ) >"$log" 2>&1 </dev/null &
    background+=("$name $! $log")
    continue
  fi
  printf '\n==> %s\n' "$name"
  begin=$SECONDS
  bash -o pipefail -c "$command"
  record "$name" $((SECONDS - begin)) $?
  ((${#background[@]})) && join_background
done
((${#background[@]})) && join_background
printf '\n==> stages\n'
for i in "${!names[@]}"; do
  printf '  %-10s %4ds\n' "${names[$i]}" "${times[$i]}"
done
printf '  %-10s %4ds\n' total $((SECONDS - started))
exit "$status"
