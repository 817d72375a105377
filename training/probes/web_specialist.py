"""A ceiling probe for issue #10: a faithful end (by default run 9's nf 48 export, the widest network the 10 s budget
allows on an AVX-512 CPU; `--nf 32` with `--init` for the shipped size) fine-tuned on the
web class's recipe alone (no blur, no noise, an antialiased ×1/4 by area, bilinear or bicubic, JPEG quality 55), scored
on the web-JPEG validation folder. Is +0.5 dB over bicubic reachable at this size even when the degradation is known?

  PYTHONPATH=training /usr/bin/python3 training/probes/web_specialist.py <iters>   # from the repository root
  # then, from its export, the same recipe with the loss PSNR scores (MSE) instead of L1:
  PYTHONPATH=training /usr/bin/python3 training/probes/web_specialist.py <iters> --pixel-loss mse --lr 2e-5 \
      --init <the export> --out training/runs/probe-web48-mse --seed 13
  # the shipped nb 6 / nf 32 faithful end, told the degradation, with MSE from the start (twenty-second session):
  PYTHONPATH=training /usr/bin/python3 training/probes/web_specialist.py 2000 --nf 32 --pixel-loss mse --lr 5e-5 \
      --lr-patch 48 --bf16 --ema 0.999 --init resources/models/enhance-real-psnr-x4.safetensors --out training/runs/probe-web32-mse --seed 23
"""

import argparse

import torch

from enhance_training.config import Config
from enhance_training.degradations import PhotoDegrader, PhotoRanges
from enhance_training.train import Trainer

parser = argparse.ArgumentParser()
parser.add_argument("iters", type=int)
parser.add_argument("--pixel-loss", default="l1")
parser.add_argument("--lr", type=float, default=1e-4)
parser.add_argument("--init", default="training/exports/enhance-real-psnr-nf48-x4.safetensors")
parser.add_argument("--out", default="training/runs/probe-web48")
parser.add_argument("--seed", type=int, default=12)
parser.add_argument("--nf", type=int, default=48)
parser.add_argument("--ema", type=float, default=0.0)
parser.add_argument("--lr-patch", type=int, default=32)
parser.add_argument("--bf16", action="store_true", help="the forward pass in bfloat16 (a CPU with AVX512-BF16 or AMX)")
args = parser.parse_args()
config = Config(out=args.out, init=args.init, nf=args.nf, gc=16, nb=6, pixel_loss=args.pixel_loss, bf16=args.bf16, ema=args.ema,
           degradation="realworld", clean_fraction=0.0, photo_fraction=1.0, iters=args.iters, lr=args.lr, warmup=25,
           min_lr=1e-6, lr_patch=args.lr_patch, batch=16, val_every=250, seed=args.seed, threads=2, val="training/runs/val-realworld/web_jpeg")
trainer = Trainer(config)
trainer.mix.single_pass = PhotoDegrader(PhotoRanges(blur_probability=0, noise_probability=0, jpeg_probability=1, jpeg_quality=(55, 55)))
# Every photo takes the single pass (photo_fraction 1), so the second order is not computed at all.
trainer.mix.second_order = lambda hr, rng: torch.nn.functional.avg_pool2d(hr, 4)
trainer.run(log=lambda s: print(s, flush=True))
