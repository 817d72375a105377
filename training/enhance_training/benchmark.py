"""The real-world benchmark: HR photos of the evaluation sets, degraded the way album photos are.

  python3 -m enhance_training benchmark --out bench/out/realworld [--sets Set14,BSD100] [--seed 0]

Fixed and seeded: the same command writes the same files on every machine. Each class is a folder
`<class>/HR` + `<class>/LR_x4` that `enhance eval` reads like the classic sets:

- `web_jpeg`: saved for the web: antialiased bicubic ×1/4 (MATLAB), JPEG quality 55.
- `camera_jpeg`: a noisy camera JPEG: Gaussian blur σ 1.2, ×1/4, colour noise σ 6 levels, JPEG quality 75.
- `blurred_scan`: a blurred print, re-photographed: Gaussian blur σ 2.5, ×1/4, grey noise σ 3 levels, JPEG 90.
- `second_order`: Real-ESRGAN's second-order degradation, one seeded draw per photo.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from PIL import Image

from .config import SHARED
from .data import load_rgb, mod_crop
from .degradations import Degrader, blur, gaussian_noise, jpeg, to_uint8
from .imresize import imresize, to_uint8 as matlab_uint8
from .kernels import gaussian


@dataclass(frozen=True)
class Recipe:
    blur_sigma: float  # in HR pixels; 0 = none
    noise_sigma: float  # in 8-bit levels
    grey_noise: bool
    jpeg_quality: int


CLASSES: dict[str, Recipe | None] = {
    "web_jpeg": Recipe(0.0, 0.0, False, 55),
    "camera_jpeg": Recipe(1.2, 6.0, False, 75),
    "blurred_scan": Recipe(2.5, 3.0, True, 90),
    "second_order": None,  # Real-ESRGAN's random pipeline
}


def bicubic_quarter(hr: torch.Tensor) -> torch.Tensor:
    """1×3×H×W in [0, 1] → MATLAB bicubic ×1/4 (antialiased), rounded to 8-bit levels."""
    return matlab_uint8(imresize(hr.double() * 255, 0.25)).float() / 255


def apply_recipe(hr: torch.Tensor, recipe: Recipe, gen: torch.Generator) -> torch.Tensor:
    img = hr
    if recipe.blur_sigma > 0:
        size = 2 * int(np.ceil(3 * recipe.blur_sigma)) + 1
        img = blur(img, torch.from_numpy(gaussian(size, recipe.blur_sigma, recipe.blur_sigma, 0.0)).float()[None])
    img = bicubic_quarter(img)
    if recipe.noise_sigma > 0:
        grey = torch.tensor([recipe.grey_noise])
        img = gaussian_noise(img, torch.tensor([recipe.noise_sigma / 255]), grey, gen)
    return jpeg(img, [recipe.jpeg_quality])


def photo_seed(seed: int, name: str) -> list[int]:
    """A per-photo seed from its name, so adding or removing photos doesn't change the others."""
    return [seed, int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")]


def degrade_photo(hr: torch.Tensor, cls: str, seed: list[int]) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    recipe = CLASSES[cls]
    if recipe is None:
        return Degrader()(hr, rng)
    gen = torch.Generator()
    gen.manual_seed(int(rng.integers(0, 2**62)))
    return apply_recipe(hr, recipe, gen)


def save_png(img: torch.Tensor, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(to_uint8(img)[0].permute(1, 2, 0).numpy()).save(path)


def make_benchmark(out: Path, sets: list[str], seed: int = 0, log: Callable[[str], None] = print) -> None:
    for cls in CLASSES:
        count = 0
        for name in sets:
            for hr_path in sorted((SHARED / "datasets" / "eval" / name / "HR").glob("*.png")):
                photo = f"{name}_{hr_path.stem}.png"
                hr_uint8 = mod_crop(load_rgb(hr_path), 4)
                hr = torch.from_numpy(hr_uint8).permute(2, 0, 1)[None].float() / 255
                lr = degrade_photo(hr, cls, photo_seed(seed, f"{cls}/{photo}"))
                save_png(hr, out / cls / "HR" / photo)
                save_png(lr, out / cls / "LR_x4" / photo)
                count += 1
        log(f"{cls}: {count} photos in {out / cls}")


def test_chart(size: int = 128) -> torch.Tensor:
    """A synthetic chart (zone-plate rings, a colour ramp, hard edges): the card's samples copy no photo."""
    yy, xx = torch.meshgrid(torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64), indexing="ij")
    r2 = (xx - size / 2) ** 2 + (yy - size / 2) ** 2
    rings = 0.5 + 0.5 * torch.cos(r2 * torch.pi / (8 * size))
    edges = ((xx // 16 + yy // 16) % 2).double()
    chart = torch.stack([rings * 0.8 + 0.1, xx / size * 0.8 + 0.1, edges * 0.6 + 0.2 * rings])
    chart[:, : size // 4] = torch.stack([edges[: size // 4]] * 3) * 0.9 + 0.05
    return chart.float()[None]


def degraded_samples(out: Path, count: int = 8, seed: int = 0) -> None:
    """The model card's grid: the chart, then `count` seeded second-order degradations of it (shown ×4 nearest)."""
    hr = test_chart().repeat(count, 1, 1, 1)
    lr = Degrader()(hr, np.random.default_rng(seed))
    tiles = [hr[0]] + [torch.nn.functional.interpolate(x[None], scale_factor=4, mode="nearest")[0] for x in lr]
    rows = [torch.cat(tiles[i : i + 3], dim=2) for i in range(0, len(tiles), 3)]
    width = rows[0].shape[2]
    rows = [torch.nn.functional.pad(r, (0, width - r.shape[2]), value=1.0) for r in rows]
    save_png(torch.cat(rows, dim=1)[None], out)
