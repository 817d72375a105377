"""A ceiling probe for issue #10: the widest network the 10 s budget allows (run 9's nf 48 export) fine-tuned on the
web class's recipe alone (no blur, no noise, an antialiased ×1/4 by area, bilinear or bicubic, JPEG quality 55), scored
on the web-JPEG validation folder. Is +0.5 dB over bicubic reachable at this size even when the degradation is known?

  PYTHONPATH=training /usr/bin/python3 training/probes/web_specialist.py <iters>   # from the repository root
"""

import sys

import torch

from enhance_training.config import Config
from enhance_training.degradations import PhotoDegrader, PhotoRanges
from enhance_training.train import Trainer

iters = int(sys.argv[1])
config = Config(out="training/runs/probe-web48", init="training/exports/enhance-real-psnr-nf48-x4.safetensors", nf=48, gc=16, nb=6,
           degradation="realworld", clean_fraction=0.0, photo_fraction=1.0, iters=iters, lr=1e-4, warmup=25, min_lr=1e-6,
           lr_patch=32, batch=16, val_every=250, seed=12, threads=2, val="training/runs/val-realworld/web_jpeg")
trainer = Trainer(config)
trainer.photo_degrader = PhotoDegrader(PhotoRanges(blur_probability=0, noise_probability=0, jpeg_probability=1, jpeg_quality=(55, 55)))
# Every photo takes the single pass (photo_fraction 1), so the second order is not computed at all.
trainer.degrader = lambda hr, rng: torch.nn.functional.avg_pool2d(hr, 4)
trainer.run(log=lambda s: print(s, flush=True))
