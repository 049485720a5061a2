#!/usr/bin/env bash
# Train the translator on a GPU machine that has JAX but no TensorFlow and no corpora: one command,
# two runs (B starts from A's weights), the run folders packed into $OUT for the trip back.
#
# Here, first (corpora -> a bundle of 2.4 MB, and the Keras wheels the GPU image lacks, 2.9 MB):
#     python tools/gpu_train.py prepare --jobs translator --bundle .gpu --init-from checkpoints/translator.npz --wheels
# On the GPU machine (the device tool's `run`: command "bash tools/gpu_translator.sh", carry [".gpu"],
# timeout_s 600; the whole command keeps under TOTAL_SECONDS):
#     bash tools/gpu_translator.sh
# Here, after (FILES: the folder the run's $OUT came back to):
#     python tools/gpu_train.py unpack --packs FILES --to runs/gpu
#     python tools/gpu_train.py export --bundle .gpu --runs runs/gpu       # runs/gpu/translator-{a,b}/*.npz
#     seqbot eval translate --split validation --limit 1500 --beam 1 --no-probes --checkpoint runs/gpu/translator-b/translator-b.npz
# and export (train translate --export-from ... --export checkpoints/translator.npz --force) only what beats
# the shipped weights there (docs/training.md, GPU).
#
# Run A trains the bundle's job from the bundle's init_from for MINUTES_A minutes; run B starts from A's
# weights (final.weights.npz: its best round, or the mean of its last AVERAGE_LAST rounds when that
# validates better) for what is left, at most MINUTES_B. Both keep their run folders in RUNS, so running
# the script again on the same machine resumes them. JAX's compilation cache lets B reuse A's compiled steps.
# Settings: BUNDLE (.gpu), RUNS (/tmp/seqbot-runs), OUT (the device tool sets it), TOTAL_SECONDS (570),
# MINUTES_A (4), MINUTES_B (4), AVERAGE_LAST (3), SET_A / SET_B (`train --set`, e.g. learning_rate=0.0003),
# WORKERS (processes making augmented batches; default all cores but two), PYTHON (python3).
set -uo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
BUNDLE=${BUNDLE:-.gpu} RUNS=${RUNS:-/tmp/seqbot-runs} OUT=${OUT:-/tmp/seqbot-out} PYTHON=${PYTHON:-python3}
TOTAL_SECONDS=${TOTAL_SECONDS:-570} MINUTES_A=${MINUTES_A:-4} MINUTES_B=${MINUTES_B:-4} AVERAGE_LAST=${AVERAGE_LAST:-3}
RESERVE=75  # seconds a run needs beyond its budget (its last round, the averaging, saving) plus the packing
mkdir -p "$RUNS" "$OUT"
if [ ! -f "$BUNDLE/translator.npz" ]; then
  echo "no $BUNDLE/translator.npz: prepare it first (see the head of $0) and carry $BUNDLE" >&2
  exit 2
fi
# Keras at this project's version (and namex, optree) ahead of anything installed; JAX is the image's.
if compgen -G "$BUNDLE/wheels/*.whl" >/dev/null; then
  $PYTHON -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/seqbot-site \
    "$BUNDLE"/wheels/*.whl || exit 3
  export PYTHONPATH=/tmp/seqbot-site${PYTHONPATH:+:$PYTHONPATH}
fi
export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 JAX_COMPILATION_CACHE_DIR=/tmp/seqbot-jax-cache
$PYTHON -c "import jax, keras; print('jax', jax.__version__, jax.devices(), '| keras', keras.__version__)" || exit 3
trap '$PYTHON tools/gpu_train.py pack --runs "$RUNS" --to "$OUT"; ls -l "$OUT"' EXIT

left() { echo $((TOTAL_SECONDS - ($(date +%s) - START))); }
budget() {  # minutes for a run: at most $1, leaving RESERVE seconds of what is left
  $PYTHON -c "import sys; print(round(max(0.5, min(float(sys.argv[1]), (int(sys.argv[2]) - $RESERVE) / 60)), 2))" "$1" "$(left)"
}
train() {  # NAME MINUTES [train options...]
  local name=$1 minutes=$2
  shift 2
  echo "== $name: $minutes minutes ($(left) s left)"
  $PYTHON tools/gpu_train.py train --bundle "$BUNDLE" --jobs translator --out "$RUNS" --run "$name" \
    --minutes "$minutes" --average-last "$AVERAGE_LAST" --grace $((RESERVE - 15)) ${WORKERS:+--workers "$WORKERS"} "$@"
  local status=$?
  tail -n 40 "$RUNS/$name/job.log" 2>/dev/null
  [ $status -eq 0 ] || tail -n 40 "$RUNS/$name.out"
  return $status
}

MINUTES=$(budget "$MINUTES_A")
train translator-a "$MINUTES" ${SET_A:+--set "$SET_A"}
FROM=""
for weights in "$RUNS/translator-a/final.weights.npz" "$RUNS/translator-a/weights/best.npz"; do
  if [ -f "$weights" ]; then FROM=$weights; break; fi
done
if [ $(($(left) - RESERVE)) -lt 60 ]; then
  echo "== translator-b: skipped, $(left) s left"
  exit 0
fi
train translator-b "$(budget "$MINUTES_B")" ${FROM:+--init-from "$FROM"} ${SET_B:+--set "$SET_B"}
