#!/usr/bin/env bash
# Trains demo-model candidates side by side on one CUDA GPU (tiny models leave it mostly idle, so
# several processes share it), evaluates each on the shipped eval split with the Python monitor,
# and packs every exported model folder as OUT/<name>.tar.
#
#   bash tools/demo-models/train-gpu.sh DATA OUT MINUTES NAME:FAMILY:VISION_HIDDEN:TEXT_HIDDEN:LR[:INIT_DIR] ...
#
# MINUTES is each training's wall-clock budget after its image cache is built (see train.py --minutes;
# the log records the resulting --steps).
set -uo pipefail
data=$1 out=$2 minutes=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, PIL, numpy; print("torch", torch.__version__, "PIL", PIL.__version__, "numpy", numpy.__version__)'
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
pids=()
for spec in "$@"; do
  IFS=: read -r name family vision text lr init <<<"$spec"
  python3 "$here/train.py" --family "$family" --data "$data" --vision-hidden "$vision" --text-hidden "$text" \
    --batch "${BATCH:-32}" --lr "$lr" --warmup "${WARMUP:-200}" --steps 1000000 --minutes "$minutes" \
    --checkpoint-every 1000 --device cuda --threads 2 --out "$work/$name" --ckpt "$work/$name.ckpt" \
    ${init:+--init "$init"} ${TRAIN_ARGS:-} >"$work/$name.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for spec in "$@"; do
  name=${spec%%:*}
  (cd "$here" && timeout "${EVAL_SECONDS:-90}" python3 evaluate.py --model "$work/$name" --data "$here/../../data/scenes/eval" \
    --samples "${EVAL_SAMPLES:-80}" --no-ablation >>"$work/$name.log" 2>&1) &
done
wait
for spec in "$@"; do
  name=${spec%%:*}
  echo "== $name"; grep -E "parameters|cached|total steps|^step .*(000|500)/" "$work/$name.log" | tail -6; tail -2 "$work/$name.log"
  tar -C "$work" -cf "$out/$name.tar" "$name" "$name.log"
done
