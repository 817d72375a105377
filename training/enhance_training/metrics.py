"""The paper's evaluation protocol: PSNR on the Y channel of YCbCr, 4-pixel border shaved."""

from __future__ import annotations

import numpy as np
import torch


def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """uint8 or [0, 255] float H×W×3 → Y in [16, 235] (ITU-R BT.601, as MATLAB's rgb2ycbcr)."""
    x = img.astype(np.float64) / 255.0
    return 16.0 + 65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]


def psnr_y(sr: np.ndarray, hr: np.ndarray, shave: int = 4) -> float:
    a = rgb_to_y(sr)[shave:-shave, shave:-shave]
    b = rgb_to_y(hr)[shave:-shave, shave:-shave]
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def to_uint8_image(t: torch.Tensor) -> np.ndarray:
    """1×3×H×W float in [0, 1] → H×W×3 uint8, rounded as the app does."""
    return t.detach().cpu().clamp(0, 1).mul(255).round().byte()[0].permute(1, 2, 0).numpy()
