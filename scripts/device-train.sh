#!/usr/bin/env bash
# One prepared run of the real-photo faithful model on a lent GPU (issue #10), warm-started from the last
# export. Prepare here, once per session (needs ../shared; about 30 MB, within the 64 MiB that travels):
#   PYTHONPATH=training /usr/bin/python3 -m enhance_training pack --out training/runs/pack --patches 1000 \
#     --val ../shared/datasets/eval/Set5,training/runs/val-realworld/web_jpeg,training/runs/val-realworld/camera_jpeg,training/runs/val-realworld/blurred_scan,training/runs/val-realworld/second_order
# then through the device tool: run(command="bash scripts/device-train.sh", carry=["training/runs/pack"],
# timeout_s=600). It trains for MINUTES (default 7, leaving room for a rerun in the session's 15), then
# writes the export, the log and the validation history to $OUT; evaluate the export here with
# `python3 -m enhance_training.realworld_eval` before shipping it.
set -euo pipefail
export PYTHONPATH=training PYTHONUNBUFFERED=1
OUT=${OUT:-training/runs/device-out}
PACK=training/runs/pack
INIT=${INIT:-training/exports/enhance-real-psnr-nf48-x4.safetensors}
RUN=$(mktemp -d)
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
VAL=$(ls -d "$PACK"/val/* | paste -sd, -)
python3 -m enhance_training psnr --out "$RUN" --data "$PACK/train" --val "$VAL" --device auto \
  --init "$INIT" --nb "${NB:-6}" --nf "${NF:-48}" --gc "${GC:-16}" --bf16 true --batch "${BATCH:-64}" --lr-patch 48 --iters 100000 \
  --max-minutes "${MINUTES:-7}" --lr 2e-4 --warmup 100 --min-lr 1e-6 --val-every 1000 --ema 0.999 \
  --threads 8 --seed 10 --degradation realworld --clean-fraction 0.2 --photo-fraction 0.5 \
  2>&1 | tee "$OUT/train.log"
cp "$RUN/history.json" "$OUT/history.json"
python3 -m enhance_training export "$RUN/best.pt" "$OUT/enhance-real-psnr-device-x4.safetensors"
