#!/usr/bin/env bash
# Leave-sessions-out cross-validation of `kilterd train` on the corpus's train split: how
# the shipped model's settings were chosen (docs/classifier.md, "How the model was
# chosen"). The 21 writing sessions (corpus/train/s*.ndjson, in name order) go round-robin
# into 7 folds of 3; each fold's model is trained by kilterd train on the other sessions
# plus the generated posts (and the lexicon terms unless --no-lexicons is passed),
# calibrated on the dev split, and evaluated on the fold's sessions with
# `kilterd classify --eval` at min_confidence 0. Prints each fold and the pooled accuracy.
# The test split is never read.
#
#   tools/classifier/cv.sh [KILTERD TRAIN OPTIONS...]      e.g. --solver fasttext, --l2 1e-9
# Environment: KILTERD (default build/daemon/kilterd). About a minute a run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kilterd=${KILTERD:-$root/build/daemon/kilterd}
corpus=$root/pipeline/classify/corpus
[ -x "$kilterd" ] || { echo "cv: no $kilterd (run ./dev build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t sessions < <(ls "$corpus"/train/s*.ndjson | sort -V)
printf 'source:\n  file: /dev/null\nclassifier:\n  min_confidence: 0\n  model: %s\n' \
  "$work/model.kltm" >"$work/kilter.yaml"
right=0 total=0
for k in 0 1 2 3 4 5 6; do
  train=("$corpus/train/generator.ndjson") held=()
  for i in "${!sessions[@]}"; do
    if (( i % 7 == k )); then held+=("${sessions[$i]}"); else train+=("${sessions[$i]}"); fi
  done
  cat "${held[@]}" >"$work/held.ndjson"
  args=()
  for f in "${train[@]}"; do args+=(--data "$f"); done
  "$kilterd" train "${args[@]}" --dev "$corpus/dev/s4.ndjson" --out "$work/model.kltm" "$@" \
    2>"$work/train.log" || { cat "$work/train.log" >&2; exit 1; }
  line=$("$kilterd" classify -c "$work/kilter.yaml" --eval "$work/held.ndjson" | grep '^accuracy:')
  r=$(sed -E 's/.*\(([0-9]+)\/([0-9]+)\).*/\1/' <<<"$line")
  n=$(sed -E 's/.*\(([0-9]+)\/([0-9]+)\).*/\2/' <<<"$line")
  right=$((right + r)) total=$((total + n))
  echo "fold $k ($(for f in "${held[@]}"; do basename "$f" .ndjson; done | paste -sd,)): $line"
done
awk -v r=$right -v n=$total 'BEGIN { printf "cross-validation accuracy: %.4f (%d/%d)\n", r / n, r, n }'
