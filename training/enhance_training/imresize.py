"""MATLAB-compatible bicubic imresize (antialiased, a = -0.5), the degradation of the ×4 benchmark sets.

Follows MATLAB's `imresize`: a cubic kernel widened by 1/scale when shrinking (antialiasing),
symmetric padding at the borders, height first then width, and uint8 output by rounding.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def cubic(x: torch.Tensor) -> torch.Tensor:
    ax = x.abs()
    ax2, ax3 = ax**2, ax**3
    return (1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2))


def contributions(in_len: int, out_len: int, scale: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per output index: the input indices it reads and their weights (MATLAB's `contributions`)."""
    kernel_width = 4.0
    antialias = scale < 1
    if antialias:
        kernel_width /= scale
    x = torch.arange(1, out_len + 1, dtype=torch.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = torch.floor(u - kernel_width / 2)
    taps = math.ceil(kernel_width) + 2
    indices = left[:, None] + torch.arange(taps, dtype=torch.float64)[None, :]
    distance = u[:, None] - indices
    weights = scale * cubic(distance * scale) if antialias else cubic(distance)
    weights = weights / weights.sum(1, keepdim=True)
    mirror = torch.cat([torch.arange(in_len), torch.arange(in_len - 1, -1, -1)])
    indices = mirror[(indices.long() - 1) % (2 * in_len)]
    keep = weights.abs().sum(0) > 0
    return indices[:, keep], weights[:, keep]


def _resize_axis(img: torch.Tensor, axis: int, out_len: int, scale: float) -> torch.Tensor:
    indices, weights = contributions(img.shape[axis], out_len, scale)
    moved = img.movedim(axis, -1)
    gathered = moved[..., indices]  # (..., out_len, taps)
    out = (gathered * weights.to(img.dtype)).sum(-1)
    return out.movedim(-1, axis)


def imresize(img: torch.Tensor, scale: float) -> torch.Tensor:
    """Resizes a float64/float32 tensor (..., H, W) by `scale`, in MATLAB's order (rows first)."""
    h, w = img.shape[-2:]
    out_h, out_w = math.ceil(h * scale), math.ceil(w * scale)
    return _resize_axis(_resize_axis(img, -2, out_h, scale), -1, out_w, scale)


def to_uint8(img: torch.Tensor) -> torch.Tensor:
    """MATLAB im2uint8 on [0, 255] data: round half away from zero, then saturate."""
    return torch.clamp(torch.sign(img) * torch.floor(img.abs() + 0.5), 0, 255).to(torch.uint8)


def downsample_uint8(hr: np.ndarray, factor: int = 4) -> np.ndarray:
    """HR uint8 HxWxC → LR uint8, exactly as the benchmark sets' LR_bicubic_x4 were made."""
    t = torch.from_numpy(hr.astype(np.float64)).permute(2, 0, 1)
    return to_uint8(imresize(t, 1 / factor)).permute(1, 2, 0).numpy()
