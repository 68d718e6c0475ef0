#!/usr/bin/env bash
# Run examples/corpus and the seeds with two checkouts' code and diff every `export --what`.
# usage: bench/export_identity.sh BASE_CODE_DIR [NEW_CODE_DIR] (e.g. a `git archive` of main)
# Needs the project's venv (PY, default /work/main/.venv/bin/python) and the shared seeds.
set -u
base=$1; new=${2:-$(cd "$(dirname "$0")/.." && pwd)}
py=${PY:-/work/main/.venv/bin/python}; seeds=${SEEDS:-/work/shared/seeds}
out=$(mktemp -d)
for side in base new; do
  code=${!side}; mkdir -p "$out/$side"
  for name in examples seeds; do
    src=$code/examples/corpus; [ "$name" = seeds ] && src=$seeds
    (cd "$code" && PYTHONPATH=$code $py -m storyline run "$src" --db "$out/$side/$name.db" \
      --workers 1 >/dev/null 2>&1)
    for what in articles entities quotes timexes timeline stories claims rejected changes \
      quote_groups; do
      (cd "$code" && PYTHONPATH=$code $py -m storyline export --db "$out/$side/$name.db" \
        --what "$what" --format jsonl >"$out/$side/$name.$what.jsonl")
    done
  done
done
status=0
for file in "$out"/base/*.jsonl; do
  name=$(basename "$file")
  if cmp -s "$file" "$out/new/$name"; then echo "same $name ($(wc -l <"$file") rows)"
  else echo "DIFFERENT $name"; status=1; fi
done
exit $status
