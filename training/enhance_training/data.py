"""Training data: HR photos from ../shared/datasets/train, LR made by MATLAB bicubic ×1/4,
aligned random patches with flips and 90° rotations. Batches are a pure function of (seed, step),
so a resumed run sees exactly the batches an uninterrupted one would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .imresize import downsample_uint8

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def load_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.array(img.convert("RGB"))


def mod_crop(img: np.ndarray, factor: int) -> np.ndarray:
    h, w = img.shape[:2]
    return img[: h - h % factor, : w - w % factor]


@dataclass
class Pair:
    name: str
    hr: np.ndarray  # uint8 H×W×3
    lr: np.ndarray  # uint8 H/4×W/4×3


def image_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def load_pairs(root: Path, factor: int = 4, limit: int | None = None) -> list[Pair]:
    pairs = []
    for path in image_files(root)[:limit]:
        hr = mod_crop(load_rgb(path), factor)
        pairs.append(Pair(str(path.relative_to(root)), hr, downsample_uint8(hr, factor)))
    return pairs


class PatchSampler:
    """Draws aligned LR/HR patches. Images are chosen with probability ∝ pixel count ** `size_power`,
    which favours the large, detailed wikipedia photos without ignoring the small ones."""

    def __init__(self, pairs: list[Pair], lr_patch: int, factor: int = 4, size_power: float = 1.0) -> None:
        self.pairs = [p for p in pairs if min(p.lr.shape[:2]) >= lr_patch]
        if not self.pairs:
            raise ValueError(f"no training image is at least {lr_patch} px on its short LR side")
        self.lr_patch = lr_patch
        self.factor = factor
        sizes = np.array([p.lr.shape[0] * p.lr.shape[1] for p in self.pairs], dtype=np.float64)
        self.weights = sizes**size_power / (sizes**size_power).sum()

    def batch(self, seed: int, step: int, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([seed, step])
        lrs, hrs = [], []
        for index in rng.choice(len(self.pairs), size=size, p=self.weights):
            lr, hr = self._patch(self.pairs[index], rng)
            lrs.append(lr)
            hrs.append(hr)
        to_tensor = lambda xs: torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2).float().div_(255)
        return to_tensor(lrs), to_tensor(hrs)

    def _patch(self, pair: Pair, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        p, f = self.lr_patch, self.factor
        y = int(rng.integers(0, pair.lr.shape[0] - p + 1))
        x = int(rng.integers(0, pair.lr.shape[1] - p + 1))
        lr = pair.lr[y : y + p, x : x + p]
        hr = pair.hr[y * f : (y + p) * f, x * f : (x + p) * f]
        if rng.random() < 0.5:
            lr, hr = lr[:, ::-1], hr[:, ::-1]
        if rng.random() < 0.5:
            lr, hr = lr[::-1], hr[::-1]
        k = int(rng.integers(0, 4))
        return np.ascontiguousarray(np.rot90(lr, k)), np.ascontiguousarray(np.rot90(hr, k))
