#!/usr/bin/env bash
# Runs named stages in order (name, command, name, command...), each under a header, stops at the first
# failure, and ends with each stage's duration: what `make test` prints.
set -uo pipefail
names=()
times=()
status=0
started=$SECONDS
while (($# >= 2)); do
  name=$1 command=$2
  shift 2
  printf '\n==> %s\n' "$name"
  begin=$SECONDS
  bash -o pipefail -c "$command"
  status=$?
  names+=("$name")
  times+=($((SECONDS - begin)))
  if ((status != 0)); then
    printf '\n==> %s FAILED (exit %d)\n' "$name" "$status"
    break
  fi
done
printf '\n==> stages\n'
for i in "${!names[@]}"; do
  printf '  %-10s %4ds\n' "${names[$i]}" "${times[$i]}"
done
printf '  %-10s %4ds\n' total $((SECONDS - started))
exit "$status"
