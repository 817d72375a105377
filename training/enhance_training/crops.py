"""The model card's side-by-side crops: one photo of the real-world benchmark per class, shown as bicubic | the clean
pair | the real-photo pair at α 0 / 0.5 / 1 | HR, each at the ×4 output's own pixels (nothing resampled for show).

  python3 -m enhance_training crops --out resources/models/realworld-crops.png [--photo Set14_img_012.png]

The window is the square whose HR has the most luma gradient energy, chosen from the HR alone, so no model's
output picks it. The networks run here in float32 PyTorch, which the app's engine matches to 1e-5 (golden tests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from .benchmark import CLASSES
from .calibrate import blend, network
from .data import load_rgb
from .export import read_safetensors
from .imresize import imresize, to_uint8
from .metrics import rgb_to_y

CLASS_WORDS = {
    "web_jpeg": "photo saved for the web (JPEG)",
    "camera_jpeg": "noisy camera JPEG",
    "blurred_scan": "blurred scan",
    "second_order": "second-order mix (re-saved, noisy, blurred)",
}
# Set14's "peppers": smooth curved surfaces and hard edges, where JPEG blocks, noise and halos all show.
DEFAULT_PHOTO = "Set14_img_012.png"
SCALE = 4
GAP = 4
LABEL_HEIGHT = 16


@dataclass(frozen=True)
class Pair:
    """A slider pair: the faithful and the realistic model of one network."""

    psnr: Path
    gan: Path


@dataclass(frozen=True)
class Column:
    label: str
    pair: Pair | None = None  # None: bicubic
    alpha: float = 0.0


def textured_window(hr: np.ndarray, side: int) -> tuple[int, int]:
    """Top-left (HR pixels, multiples of 4) of the side×side square with the most luma gradient energy at the LR's
    scale (the HR averaged over 4×4 blocks), so edges a ×4 can restore win over stripes finer than the LR holds."""
    h, w = hr.shape[0] // SCALE, hr.shape[1] // SCALE
    y = rgb_to_y(hr[: h * SCALE, : w * SCALE]).reshape(h, SCALE, w, SCALE).mean((1, 3))
    energy = np.zeros_like(y)
    energy[:, 1:] += np.diff(y, axis=1) ** 2
    energy[1:, :] += np.diff(y, axis=0) ** 2
    summed = np.pad(energy, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    n = side // SCALE
    totals = summed[n:, n:] - summed[:-n, n:] - summed[n:, :-n] + summed[:-n, :-n]
    top, left = np.unravel_index(int(np.argmax(totals)), totals.shape)
    return int(top) * SCALE, int(left) * SCALE


def bicubic_up(lr: np.ndarray) -> np.ndarray:
    """MATLAB-style bicubic ×4, the benchmark's baseline."""
    t = torch.from_numpy(lr.astype(np.float64)).permute(2, 0, 1)
    return to_uint8(imresize(t, SCALE)).permute(1, 2, 0).numpy()


@torch.no_grad()
def upscale(pair: Pair, alpha: float, lr: np.ndarray) -> np.ndarray:
    """The slider's output at `alpha`: the two models' weights blended (ESRGAN's network interpolation), then run."""
    psnr, meta = read_safetensors(pair.psnr)
    gan, _ = read_safetensors(pair.gan)
    arch = json.loads(meta["enhance.arch"])
    net = network(blend(psnr, gan, alpha), arch)
    x = torch.from_numpy(lr).permute(2, 0, 1)[None].float() / 255
    out = net(x).clamp(0, 1)[0].permute(1, 2, 0).numpy() * 255
    return np.floor(out + 0.5).astype(np.uint8)


def render(column: Column, lr: np.ndarray) -> np.ndarray:
    return bicubic_up(lr) if column.pair is None else upscale(column.pair, column.alpha, lr)


@cache
def font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """DejaVu Sans where installed (Chromium's dependencies bring it); Pillow's bitmap font, which has no α, otherwise."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", 11)
    except OSError:
        return ImageFont.load_default()


def label(text: str, width: int) -> Image.Image:
    strip = Image.new("RGB", (width, LABEL_HEIGHT), "white")
    face = font()
    shown = text if isinstance(face, ImageFont.FreeTypeFont) else text.replace("α", "alpha")
    ImageDraw.Draw(strip).text((2, 2), shown, fill="black", font=face)
    return strip


def grid(rows: list[tuple[str, list[np.ndarray]]], headers: list[str]) -> Image.Image:
    """Rows of equal tiles, each row under its own caption, the columns under `headers`; white gaps between."""
    side = rows[0][1][0].shape[0]
    width = len(headers) * (side + GAP) - GAP
    height = LABEL_HEIGHT + len(rows) * (LABEL_HEIGHT + side + GAP)
    sheet = Image.new("RGB", (width, height), "white")
    for c, header in enumerate(headers):
        sheet.paste(label(header, side), (c * (side + GAP), 0))
    for r, (caption, tiles) in enumerate(rows):
        top = LABEL_HEIGHT + r * (LABEL_HEIGHT + side + GAP)
        sheet.paste(label(caption, width), (0, top))
        for c, tile in enumerate(tiles):
            sheet.paste(Image.fromarray(tile), (c * (side + GAP), top + LABEL_HEIGHT))
    return sheet


def class_row(bench: Path, cls: str, photo: str, columns: list[Column], side: int) -> list[np.ndarray]:
    """The tiles of one class: every column's output and the HR, cropped to the HR's most textured window."""
    hr = load_rgb(bench / cls / "HR" / photo)
    lr = load_rgb(bench / cls / "LR_x4" / photo)
    top, left = textured_window(hr, side)
    window = (slice(top, top + side), slice(left, left + side))
    return [render(c, lr)[window] for c in columns] + [hr[window]]


def side_by_side(bench: Path, photo: str, clean: Pair, real: Pair, out: Path, side: int = 128) -> list[list[np.ndarray]]:
    columns = [
        Column("bicubic"),
        Column("clean pair, α 0.5", clean, 0.5),
        Column("real-photo pair, α 0", real, 0.0),
        Column("real-photo pair, α 0.5", real, 0.5),
        Column("real-photo pair, α 1", real, 1.0),
    ]
    rows = [(f"{CLASS_WORDS[cls]}: {photo}", class_row(bench, cls, photo, columns, side)) for cls in CLASSES]
    out.parent.mkdir(parents=True, exist_ok=True)
    grid(rows, [c.label for c in columns] + ["original (HR)"]).save(out, optimize=True)
    return [tiles for _, tiles in rows]
