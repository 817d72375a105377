"""A ceiling probe for issue #10: the widest network the 10 s budget allows (run 9's nf 48 export) fine-tuned on the
web class's recipe alone (no blur, no noise, an antialiased ×1/4 by area, bilinear or bicubic, JPEG quality 55), scored
on the web-JPEG validation folder. Is +0.5 dB over bicubic reachable at this size even when the degradation is known?

  PYTHONPATH=training /usr/bin/python3 training/probes/web_specialist.py <iters>   # from the repository root
  # then, from its export, the same recipe with the loss PSNR scores (MSE) instead of L1:
  PYTHONPATH=training /usr/bin/python3 training/probes/web_specialist.py <iters> --pixel-loss mse --lr 2e-5 \
      --init <the export> --out training/runs/probe-web48-mse --seed 13
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
args = parser.parse_args()
config = Config(out=args.out, init=args.init, nf=48, gc=16, nb=6, pixel_loss=args.pixel_loss,
           degradation="realworld", clean_fraction=0.0, photo_fraction=1.0, iters=args.iters, lr=args.lr, warmup=25,
           min_lr=1e-6, lr_patch=32, batch=16, val_every=250, seed=args.seed, threads=2, val="training/runs/val-realworld/web_jpeg")
trainer = Trainer(config)
trainer.mix.single_pass = PhotoDegrader(PhotoRanges(blur_probability=0, noise_probability=0, jpeg_probability=1, jpeg_quality=(55, 55)))
# Every photo takes the single pass (photo_fraction 1), so the second order is not computed at all.
trainer.mix.second_order = lambda hr, rng: torch.nn.functional.avg_pool2d(hr, 4)
trainer.run(log=lambda s: print(s, flush=True))
