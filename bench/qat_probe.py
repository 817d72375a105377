#!/usr/bin/env python3
"""Quantisation-aware fine-tuning probe for int8 (issue #14): does a short distillation through the
engine's exact int8 graph (training/enhance_training/quant.py) bring int8 within its bound at the
realistic end? Prints Set14 figures before and after; writes nothing.

Both partners of a bundled pair are trained together: each step blends them at α ∈ {0, 0.5, 1} and
matches, to the untouched pair's float32 output, both the int8 output (straight-through rounding) and the
float32 output. Ranges: calibrated at α 0 and α 1 on sixteen 64² LR crops of the training photos and
interpolated linearly in between (what the engine would do with ranges stored in each model file).

    PYTHONPATH=training /usr/bin/python3 bench/qat_probe.py real- 400 1e-4     (needs ../shared/datasets)
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils import stateless

from enhance_training.calibrate import blend, network
from enhance_training.data import PatchSampler, load_pairs, load_rgb, mod_crop
from enhance_training.export import read_safetensors
from enhance_training.quant import calibrate, int8_forward

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "resources" / "models"
DATA = ROOT.parent / "shared" / "datasets"
SET14 = DATA / "eval" / "Set14"


def interpolated(t: float, r0: dict, r1: dict) -> dict:
    lerp = lambda a, b: (1 - t) * a + t * b  # noqa: E731
    return {k: (lerp(r0.get(k, (0, 0))[0], r1.get(k, (0, 0))[0]), lerp(r0.get(k, (0, 0))[1], r1.get(k, (0, 0))[1])) for k in set(r0) | set(r1)}


def psnr_y(sr: np.ndarray, hr: np.ndarray) -> float:
    y = lambda im: 16 + (65.481 * im[..., 0] + 128.553 * im[..., 1] + 24.966 * im[..., 2]) / 255  # noqa: E731
    d = (y(sr) - y(hr[: sr.shape[0], : sr.shape[1]]))[4:-4, 4:-4]
    return float(10 * np.log10(255**2 / (d**2).mean()))


@torch.no_grad()
def report(label: str, psnr: dict, gan: dict, arch: dict, r0: dict, r1: dict) -> None:
    parts = []
    for t in (0.0, 0.5, 1.0):
        net, ranges = network(blend(psnr, gan, t), arch), interpolated(t, r0, r1)
        p32 = p8 = mad = 0.0
        names = sorted((SET14 / "HR").iterdir())
        for hr_path in names:
            lr = torch.from_numpy(load_rgb(SET14 / "LR_bicubic_x4" / hr_path.name)).permute(2, 0, 1)[None].float() / 255
            hr = mod_crop(load_rgb(hr_path), 4).astype(np.float64)
            a = (net(lr).clamp(0, 1)[0].permute(1, 2, 0).numpy() * 255).round()
            b = (int8_forward(net, lr, ranges)[0].permute(1, 2, 0).numpy() * 255).round()
            p32, p8, mad = p32 + psnr_y(a, hr), p8 + psnr_y(b, hr), mad + float(np.abs(a - b).mean())
        n = len(names)
        parts.append(f"α {t}: float32 {p32 / n:.3f} dB, int8 {p8 / n:.3f} dB, mean |Δ| {mad / n:.2f} levels")
    print(f"{label}: " + " | ".join(parts), flush=True)


def main() -> None:
    prefix, steps, lr = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(2)
    psnr, meta = read_safetensors(MODELS / f"enhance-{prefix}psnr-x4.safetensors")
    gan, _ = read_safetensors(MODELS / f"enhance-{prefix}gan-x4.safetensors")
    arch = json.loads(meta["enhance.arch"])
    pairs = [p for folder in ("kodak", "wikipedia") for p in load_pairs(DATA / "train" / folder)]
    crops, _ = PatchSampler(pairs, 64).batch(123, 0, 16)
    r0 = calibrate(network(psnr, arch), crops.split(1))
    r1 = calibrate(network(gan, arch), crops.split(1))
    report("before", psnr, gan, arch, r0, r1)

    template = network(psnr, arch)

    class Int8(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = template

        def forward(self, x: torch.Tensor, ranges: dict) -> torch.Tensor:
            return int8_forward(self.net, x, ranges, ste=True)

    int8 = Int8()
    student_p = {k: v.clone().requires_grad_(True) for k, v in psnr.items()}
    student_g = {k: v.clone().requires_grad_(True) for k, v in gan.items()}
    optimiser = torch.optim.Adam([*student_p.values(), *student_g.values()], lr=lr)
    sampler = PatchSampler(pairs, 48)
    started = time.time()
    for step in range(steps):
        x, _ = sampler.batch(9, step, 4)
        t = (0.0, 0.5, 1.0)[step % 3]
        with torch.no_grad():
            teacher = stateless.functional_call(template, blend(psnr, gan, t), (x,)).clamp(0, 1)
        weights = blend(student_p, student_g, t)
        y8 = stateless.functional_call(int8, {f"net.{k}": v for k, v in weights.items()}, (x, interpolated(t, r0, r1)))
        y32 = stateless.functional_call(template, weights, (x,))
        loss = F.l1_loss(y8, teacher) + F.l1_loss(y32.clamp(0, 1), teacher)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 50 == 0:
            print(f"step {step}, {time.time() - started:.0f} s, loss {255 * loss.item():.2f} levels", flush=True)
    report("after", {k: v.detach() for k, v in student_p.items()}, {k: v.detach() for k, v in student_g.items()}, arch, r0, r1)


if __name__ == "__main__":
    main()
