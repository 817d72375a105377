"""Removes a GAN partner's colour cast at every slider position by fine-tuning only its last two convolutions.

  python3 -m enhance_training colour-tune --psnr resources/models/enhance-psnr-x4.safetensors \\
      --gan resources/models/enhance-gan-x4.safetensors --out training/exports/enhance-gan-tuned-x4.safetensors

A bias offset (`calibrate.py`) moves the output at realism α by α·δ, but the cast is not linear in α:
the clean pair's midpoint darkens every channel while its realistic end reddens some photos more than
others. Here `conv_hr` and `conv_last` of the GAN partner learn, on training photos, to make the block
means of the slider's blends (α = 0.25 … 1, the trunk blended and frozen) match the photo's, while the
high frequencies of each blend stay those of the untouched partner (the tether), so texture is kept.
The rest of the network and the PSNR partner are unchanged.

With `--chroma-weight` the head also learns the photo's Cb and Cr at full resolution (`chroma_loss`), which takes
out the green and magenta fringes a GAN paints along edges, and the tether then holds only the high frequencies of
luma, so PSNR-Y and NIQE, which read luma, stay the partner's. `--degradation realworld` feeds the LR photos the
real-world runs train on (`RealWorldMix`) instead of clean bicubic ones, for a real-photo pair.
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
from .degradations import RealWorldMix
from .export import read_safetensors
from .losses import chroma_loss, colour_loss, luma

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
    chroma_weight: float = 0.0,
    mix: RealWorldMix | None = None,
    log=lambda line: None,
) -> dict[str, torch.Tensor]:
    """The GAN partner with a new head; the loss is Σ_α w(α)·(colour + chroma_weight·chroma)(blend_α, HR)
    + tether·Σ_α L1 of the high passes (of luma alone when chroma is learnt)."""
    nets = {a: network(blend(psnr, gan, a), arch) for a in ALPHAS}
    head = {k: gan[k].clone().requires_grad_(True) for k in HEAD}
    optimiser = torch.optim.Adam(head.values(), lr=lr, betas=(0.9, 0.99))
    detail = (lambda x: high_pass(luma(x))) if chroma_weight > 0 else high_pass
    for step in range(steps):
        lr_batch, hr_batch = sampler.batch(seed, step, batch)
        if mix is not None:
            lr_batch = mix(lr_batch, hr_batch, seed, step)
        colour = keep = torch.zeros(())
        for a in ALPHAS:
            with torch.no_grad():
                feat = nets[a].features(lr_batch)
                reference = blended_head(feat, psnr, gan, a)
            out = blended_head(feat, psnr, head, a)
            colour = colour + WEIGHTS[a] * (colour_loss(out, hr_batch) + chroma_weight * chroma_loss(out, hr_batch))
            keep = keep + F.l1_loss(detail(out), detail(reference))
        optimiser.zero_grad()
        (colour + tether * keep).backward()
        optimiser.step()
        if step % 25 == 0 or step == steps - 1:
            log(f"step {step}: colour {255 * colour.item():.3f}, tether {255 * keep.item():.3f} (levels)")
    return {**gan, **{k: v.detach().clone() for k, v in head.items()}}


def colour_tune(psnr_path: Path, gan_path: Path, out: Path, data: Path, steps: int = 400, crop: int = 96,
                chroma_weight: float = 0.0, degradation: str = "bicubic", log=print) -> dict:
    psnr, _ = read_safetensors(psnr_path)
    gan, metadata = read_safetensors(gan_path)
    arch = json.loads(metadata["enhance.arch"])
    sampler = PatchSampler([p for folder in TUNE_FOLDERS for p in load_pairs(data / folder)], 48)
    measure = [p for folder in CALIBRATION_FOLDERS for p in load_pairs(data / folder)]
    shifts = lambda g: {a: mean_shift(network(blend(psnr, g, a), arch), measure, crop) for a in ALPHAS}
    before = shifts(gan)
    # The shares of clean and single-pass LR photos of runs 3–9 and the real-photo GAN stages (training/README.md).
    mix = RealWorldMix(clean_fraction=0.2, photo_fraction=0.5) if degradation == "realworld" else None
    tuned = tune_head(psnr, gan, arch, sampler, steps, chroma_weight=chroma_weight, mix=mix, log=log)
    after = shifts(tuned)
    summary = {"photos": len(measure), "steps": steps, "chroma_weight": chroma_weight, "degradation": degradation,
               "shift_before": by_alpha(before), "shift_after": by_alpha(after)}
    write_recorded(tuned, out, metadata, "colour_tune", summary)
    return summary

