#!/usr/bin/env bash
# One prepared run of the real-photo slider pair on a lent GPU (issue #10): the faithful end warm-started from the
# last export, then its GAN partner from it, so one call brings back a pair that can ship. Prepare here, once per
# session (needs ../shared; about 30 MB, within the 64 MiB that travels):
#   PYTHONPATH=training /usr/bin/python3 -m enhance_training pack --out training/runs/pack --patches 1000 \
#     --val ../shared/datasets/eval/Set5,training/runs/val-realworld/web_jpeg,training/runs/val-realworld/camera_jpeg,training/runs/val-realworld/blurred_scan,training/runs/val-realworld/second_order
# then through the device tool: run(command="bash scripts/device-train.sh", carry=["training/runs/pack"],
# timeout_s=600). It trains stage 1 with L1 for PSNR_MINUTES (default 3.5), then with MSE for MSE_MINUTES (1), and
# stage 2 for GAN_MINUTES (default 2.5), then
# writes both exports, the logs and the validation histories to $OUT; evaluate the pair here with
# `python3 -m enhance_training.realworld_eval` before shipping it. On a GPU the degradations' JPEG is the
# PyTorch codec (`--jpeg-codec auto`), so no batch leaves the GPU.
set -euo pipefail
export PYTHONPATH=training PYTHONUNBUFFERED=1
PYTHON=${PYTHON:-python3}  # the device machine's PyTorch; here /usr/bin/python3
OUT=${OUT:-training/runs/device-out}
PACK=${PACK:-training/runs/pack}
# nf 32 / nb 6 by default: the largest size that keeps a 640×480 photo under 10 s on the slowest CPU this project's
# machines have had (AVX2 only: 7.3–8.0 s with 7-bit int8 weights; nf 48 took 12.1–14.1 s there)
INIT=${INIT:-resources/models/enhance-real-psnr-x4.safetensors}
PSNR_RUN=$(mktemp -d)
MSE_RUN=$(mktemp -d)
GAN_RUN=$(mktemp -d)
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
VAL=$(ls -d "$PACK"/val/* | paste -sd, -)
COMMON=(--data "$PACK/train" --val "$VAL" --device "${DEVICE:-auto}" --nb "${NB:-6}" --nf "${NF:-32}" --gc "${GC:-16}"
  --bf16 "${BF16:-true}" --lr-patch "${PATCH:-48}" --iters 100000 --threads "${THREADS:-8}" --degradation realworld
  --clean-fraction 0.2 --photo-fraction 0.5)

"$PYTHON" -m enhance_training psnr --out "$PSNR_RUN" "${COMMON[@]}" --init "$INIT" --batch "${BATCH:-64}" \
  --max-minutes "${PSNR_MINUTES:-3.5}" --lr 2e-4 --warmup 100 --min-lr 1e-6 --val-every 1000 --ema 0.999 --seed 10 \
  2>&1 | tee "$OUT/train-psnr.log"
cp "$PSNR_RUN/history.json" "$OUT/history-psnr.json"
L1_EXPORT="$OUT/enhance-real-psnr-device-l1-x4.safetensors"
"$PYTHON" -m enhance_training export "$PSNR_RUN/best.pt" "$L1_EXPORT"

# Stage 1b: MSE, the loss PSNR scores, from the L1 export (the web specialist probe: +0.029 dB over L1's plateau).
"$PYTHON" -m enhance_training psnr --out "$MSE_RUN" "${COMMON[@]}" --init "$L1_EXPORT" --batch "${BATCH:-64}" \
  --max-minutes "${MSE_MINUTES:-1}" --pixel-loss mse --lr 2e-5 --warmup 0 --min-lr 1e-6 --val-every 500 --ema 0.999 \
  --seed 12 2>&1 | tee "$OUT/train-mse.log"
cp "$MSE_RUN/history.json" "$OUT/history-mse.json"
PSNR_EXPORT="$OUT/enhance-real-psnr-device-x4.safetensors"
"$PYTHON" -m enhance_training export "$MSE_RUN/best.pt" "$PSNR_EXPORT"

# Stage 2 as the shipped real-world GAN partner was made (an unsharp-masked target, the low-pass colour term),
# from the faithful end just trained, so the two blend on the slider.
"$PYTHON" -m enhance_training gan --out "$GAN_RUN" "${COMMON[@]}" --init "$PSNR_EXPORT" --batch "${GAN_BATCH:-32}" \
  --max-minutes "${GAN_MINUTES:-2.5}" --lr 1e-4 --d-lr 1e-4 --warmup 0 --min-lr 1e-5 --val-every 500 --gt-usm true \
  --colour-weight 1.0 --seed 11 2>&1 | tee "$OUT/train-gan.log"
cp "$GAN_RUN/history.json" "$OUT/history-gan.json"
"$PYTHON" -m enhance_training export "$GAN_RUN/best.pt" "$OUT/enhance-real-gan-device-x4.safetensors"
