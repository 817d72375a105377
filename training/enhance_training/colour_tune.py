"""Removes a GAN partner's colour cast at every slider position by fine-tuning only its last two convolutions.

  python3 -m enhance_training colour-tune --psnr resources/models/enhance-psnr-x4.safetensors \\
      --gan resources/models/enhance-gan-x4.safetensors --out training/exports/enhance-gan-tuned-x4.safetensors

A bias offset (`calibrate.py`) moves the output at realism α by α·δ, but the cast is not linear in α:
the clean pair's midpoint darkens every channel while its realistic end reddens some photos more than
others. Here `conv_hr` and `conv_last` of the GAN partner learn, on training photos, to make the block
means of the slider's blends (α = 0.25 … 1, the trunk blended and frozen) match the photo's, while the
high frequencies of each blend stay those of the untouched partner (the tether), so texture is kept.
The rest of the network and the PSNR partner are unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F

from .arch import lrelu
from .calibrate import ALPHAS, CALIBRATION_FOLDERS, WEIGHTS, blend, by_alpha, mean_shift, network, write_recorded
from .config import SHARED
from .data import PatchSampler, load_pairs
from .export import read_safetensors
from .losses import colour_loss

HEAD = ("conv_hr.weight", "conv_hr.bias", "conv_last.weight", "conv_last.bias")
# Photos for training the head; cbsd399's small photos add variety here (only a few crops each).
TUNE_FOLDERS = CALIBRATION_FOLDERS + ("cbsd399",)


def blended_head(feat: torch.Tensor, psnr: dict, gan: dict, alpha: float) -> torch.Tensor:
    w = {k: (1 - alpha) * psnr[k] + alpha * gan[k] for k in HEAD}
    hidden = lrelu(F.conv2d(feat, w["conv_hr.weight"], w["conv_hr.bias"], padding=1))
    return F.conv2d(hidden, w["conv_last.weight"], w["conv_last.bias"], padding=1)


def high_pass(y: torch.Tensor, block: int = 16) -> torch.Tensor:
    """What is left after the colour term's block means, smoothly upsampled, are taken away."""
    low = F.interpolate(F.avg_pool2d(y, block), scale_factor=block, mode="bilinear", align_corners=False)
    return y - low


def tune_head(
    psnr: dict[str, torch.Tensor],
    gan: dict[str, torch.Tensor],
    arch: dict,
    sampler: PatchSampler,
    steps: int,
    batch: int = 8,
    lr: float = 1e-4,
    tether: float = 1.0,
    seed: int = 7,
    log=lambda line: None,
) -> dict[str, torch.Tensor]:
    """The GAN partner with a new head; the loss is Σ_α w(α)·colour(blend_α, HR) + tether·Σ_α L1 of high passes."""
    nets = {a: network(blend(psnr, gan, a), arch) for a in ALPHAS}
    head = {k: gan[k].clone().requires_grad_(True) for k in HEAD}
    optimiser = torch.optim.Adam(head.values(), lr=lr, betas=(0.9, 0.99))
    for step in range(steps):
        lr_batch, hr_batch = sampler.batch(seed, step, batch)
        colour = keep = torch.zeros(())
        for a in ALPHAS:
            with torch.no_grad():
                feat = nets[a].features(lr_batch)
                reference = blended_head(feat, psnr, gan, a)
            out = blended_head(feat, psnr, head, a)
            colour = colour + WEIGHTS[a] * colour_loss(out, hr_batch)
            keep = keep + F.l1_loss(high_pass(out), high_pass(reference))
        optimiser.zero_grad()
        (colour + tether * keep).backward()
        optimiser.step()
        if step % 25 == 0 or step == steps - 1:
            log(f"step {step}: colour {255 * colour.item():.3f}, tether {255 * keep.item():.3f} (levels)")
    return {**gan, **{k: v.detach().clone() for k, v in head.items()}}


def colour_tune(psnr_path: Path, gan_path: Path, out: Path, data: Path, steps: int = 400, crop: int = 96, log=print) -> dict:
    psnr, _ = read_safetensors(psnr_path)
    gan, metadata = read_safetensors(gan_path)
    arch = json.loads(metadata["enhance.arch"])
    sampler = PatchSampler([p for folder in TUNE_FOLDERS for p in load_pairs(data / folder)], 48)
    measure = [p for folder in CALIBRATION_FOLDERS for p in load_pairs(data / folder)]
    shifts = lambda g: {a: mean_shift(network(blend(psnr, g, a), arch), measure, crop) for a in ALPHAS}
    before = shifts(gan)
    tuned = tune_head(psnr, gan, arch, sampler, steps, log=log)
    after = shifts(tuned)
    summary = {"photos": len(measure), "steps": steps, "shift_before": by_alpha(before), "shift_after": by_alpha(after)}
    write_recorded(tuned, out, metadata, "colour_tune", summary)
    return summary

