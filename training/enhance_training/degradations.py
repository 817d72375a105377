"""Real-ESRGAN's second-order degradation model, on the fly and seeded, in PyTorch.

HR batches (B×3×H×W in [0, 1], on any device) become the LR photos a model meets in the wild:
two rounds of blur → resize → noise → JPEG, then a final resize and ringing (sinc) filter with the
last JPEG before or after it. The ranges and probabilities are Real-ESRGAN's
`train_realesrgan_x4plus.yml` (DESIGN.md §7). Each batch is a pure function of the numpy generator
it is given, so a resumed run degrades exactly as an uninterrupted one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .kernels import BlurRanges, gaussian, random_blur, random_final_sinc

RESIZE_MODES = ("area", "bilinear", "bicubic")

# A JPEG round trip of a batch, one quality per image: `jpeg` (libjpeg through Pillow) or `jpeg_torch.jpeg_torch`.
JpegCodec = Callable[[torch.Tensor, list[int]], torch.Tensor]


@dataclass(frozen=True)
class StageRanges:
    blur: BlurRanges
    blur_probability: float
    resize_probabilities: tuple[float, float, float]  # up, down, keep
    resize_scale: tuple[float, float]
    gaussian_probability: float
    gaussian_sigma: tuple[float, float]  # in 8-bit levels
    poisson_scale: tuple[float, float]
    grey_noise_probability: float
    jpeg_quality: tuple[int, int]


@dataclass(frozen=True)
class DegradationConfig:
    stage1: StageRanges = field(
        default_factory=lambda: StageRanges(BlurRanges(), 1.0, (0.2, 0.7, 0.1), (0.15, 1.5), 0.5, (1, 30), (0.05, 3), 0.4, (30, 95))
    )
    stage2: StageRanges = field(
        default_factory=lambda: StageRanges(
            BlurRanges(sigma=(0.2, 1.5)), 0.8, (0.3, 0.4, 0.3), (0.3, 1.2), 0.5, (1, 25), (0.05, 2.5), 0.4, (30, 95)
        )
    )
    second_order_probability: float = 1.0
    final_sinc_probability: float = 0.8
    scale: int = 4


@dataclass(frozen=True)
class PhotoRanges:
    """One pass, as one camera pipeline or one save for the web degrades a photo: Gaussian blur (lens,
    print, scanner), an antialiased ×1/s downscale (browsers, phones and editors all filter first),
    mild sensor noise and one JPEG save. Real-ESRGAN's second order is built for images re-saved many
    times; most album photos went through a single pass like this one, which it covers only thinly."""

    blur_probability: float = 0.6
    blur_sigma: tuple[float, float] = (0.3, 3.0)  # HR pixels
    anisotropic_probability: float = 0.3
    noise_probability: float = 0.5
    noise_sigma: tuple[float, float] = (1.0, 10.0)  # 8-bit levels
    grey_noise_probability: float = 0.4
    jpeg_probability: float = 0.9
    jpeg_quality: tuple[int, int] = (30, 95)
    scale: int = 4


# -- the operations, each exact and testable on its own ------------------------------------------


def blur(img: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Filters each image of the batch with its own kernel (B×k×k), reflecting at the borders (replicating
    where the image is smaller than the kernel's radius, which reflection can't pad)."""
    b, c, h, w = img.shape
    k = kernels.shape[-1]
    mode = "reflect" if min(h, w) > k // 2 else "replicate"
    padded = F.pad(img.reshape(1, b * c, h, w), [k // 2] * 4, mode=mode)
    weight = kernels.to(img).repeat_interleave(c, 0)[:, None]
    return F.conv2d(padded, weight, groups=b * c).reshape(b, c, h, w)


def stack_kernels(kernels: list[np.ndarray]) -> torch.Tensor:
    """Pads odd kernels of different sizes to the largest, centred, so one grouped conv applies them all."""
    size = max(k.shape[0] for k in kernels)
    out = np.zeros((len(kernels), size, size))
    for i, k in enumerate(kernels):
        o = (size - k.shape[0]) // 2
        out[i, o : o + k.shape[0], o : o + k.shape[0]] = k
    return torch.from_numpy(out).float()


def resize(img: torch.Tensor, size: tuple[int, int], mode: str) -> torch.Tensor:
    if mode == "area":
        return F.interpolate(img, size=size, mode="area")
    return F.interpolate(img, size=size, mode=mode, align_corners=False)


def gaussian_noise(img: torch.Tensor, sigma: torch.Tensor, grey: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Adds N(0, σ²) noise; σ (B,) in [0, 1] units; grey rows get the same noise in all three channels."""
    b, c, h, w = img.shape
    colour = torch.randn(img.shape, generator=gen, device=img.device)
    mono = torch.randn((b, 1, h, w), generator=gen, device=img.device).expand(b, c, h, w)
    noise = torch.where(grey.view(b, 1, 1, 1), mono, colour)
    return img + noise * sigma.view(b, 1, 1, 1).to(img)


def poisson_noise(img: torch.Tensor, scale: torch.Tensor, grey: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shot noise: counts ∝ intensity at a level count set by the image's own distinct values (as Real-ESRGAN)."""
    b = img.shape[0]
    quantised = (img.clamp(0, 1) * 255).round() / 255
    luma = (0.299 * quantised[:, 0:1] + 0.587 * quantised[:, 1:2] + 0.114 * quantised[:, 2:3]).expand_as(quantised)
    source = torch.where(grey.view(b, 1, 1, 1), luma, quantised)
    levels = torch.tensor([2.0 ** np.ceil(np.log2(max(2, len(torch.unique(x))))) for x in source], device=img.device)
    levels = levels.view(b, 1, 1, 1)
    noise = torch.poisson(source * levels, generator=gen) / levels - source
    return img + noise * scale.view(b, 1, 1, 1).to(img)


def jpeg(img: torch.Tensor, qualities: list[int]) -> torch.Tensor:
    """Round-trips each image through libjpeg (Pillow, 4:2:0 chroma) at its quality."""
    out = []
    for x, quality in zip(to_uint8(img), qualities):
        buffer = io.BytesIO()
        Image.fromarray(x.permute(1, 2, 0).cpu().numpy()).save(buffer, format="JPEG", quality=int(quality))
        buffer.seek(0)
        decoded = np.array(Image.open(buffer).convert("RGB"))
        out.append(torch.from_numpy(decoded).permute(2, 0, 1))
    return torch.stack(out).to(img.device, torch.float32) / 255


def downscale_antialiased(img: torch.Tensor, factor: int, mode: str) -> torch.Tensor:
    size = (img.shape[-2] // factor, img.shape[-1] // factor)
    if mode == "area":
        return F.interpolate(img, size=size, mode="area")
    return F.interpolate(img, size=size, mode=mode, align_corners=False, antialias=True)


def to_uint8(img: torch.Tensor) -> torch.Tensor:
    return (img.clamp(0, 1) * 255).round().to(torch.uint8)


def usm_sharpen(img: torch.Tensor, weight: float = 0.5, threshold: float = 10) -> torch.Tensor:
    """Real-ESRGAN's unsharp-masked ground truth: a 51-px Gaussian (σ 8), sharpened only where the detail
    is above `threshold` levels, with a soft mask so flat areas keep their noise-free look."""
    kernel = torch.from_numpy(gaussian(51, 8.0, 8.0, 0.0)).float()[None].expand(img.shape[0], 51, 51)
    blurred = blur(img, kernel)
    residual = img - blurred
    mask = (residual.abs() * 255 > threshold).float()
    soft = blur(mask, kernel)
    sharp = (img + weight * residual).clamp(0, 1)
    return soft * sharp + (1 - soft) * img


# -- the pipeline -------------------------------------------------------------------------------


class Degrader:
    def __init__(self, config: DegradationConfig | None = None, codec: JpegCodec | None = None) -> None:
        self.config = config or DegradationConfig()
        self.jpeg = codec or jpeg

    def __call__(self, hr: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        """HR B×3×H×W → LR B×3×(H/s)×(W/s), quantised to 8-bit levels like a decoded file."""
        c = self.config
        gen = torch.Generator(device=hr.device)
        gen.manual_seed(int(rng.integers(0, 2**62)))
        h, w = hr.shape[-2:]
        out = self._stage(hr, c.stage1, rng, gen, relative_to=None)
        if rng.random() < c.second_order_probability:
            out = self._stage(out, c.stage2, rng, gen, relative_to=(h // c.scale, w // c.scale))
        return self._final(out, rng, (h // c.scale, w // c.scale))

    def _stage(self, img, ranges: StageRanges, rng, gen, relative_to: tuple[int, int] | None) -> torch.Tensor:
        b = img.shape[0]
        if rng.random() < ranges.blur_probability:
            img = blur(img, stack_kernels([random_blur(rng, ranges.blur) for _ in range(b)]))
        direction = int(rng.choice(3, p=ranges.resize_probabilities))
        factor = [rng.uniform(1, ranges.resize_scale[1]), rng.uniform(ranges.resize_scale[0], 1), 1.0][direction]
        mode = RESIZE_MODES[int(rng.integers(len(RESIZE_MODES)))]
        # Stage 1 scales the photo itself; stage 2 scales relative to the final LR size (Real-ESRGAN).
        if relative_to is None:
            size = (max(1, round(img.shape[-2] * factor)), max(1, round(img.shape[-1] * factor)))
        else:
            size = (max(1, int(relative_to[0] * factor)), max(1, int(relative_to[1] * factor)))
        img = resize(img, size, mode)
        grey = torch.from_numpy(rng.random(b) < ranges.grey_noise_probability).to(img.device)
        if rng.random() < ranges.gaussian_probability:
            sigma = torch.from_numpy(rng.uniform(*ranges.gaussian_sigma, size=b) / 255).float()
            img = gaussian_noise(img, sigma, grey, gen)
        else:
            img = poisson_noise(img, torch.from_numpy(rng.uniform(*ranges.poisson_scale, size=b)).float(), grey, gen)
        return self.jpeg(img.clamp(0, 1), [int(q) for q in rng.integers(ranges.jpeg_quality[0], ranges.jpeg_quality[1] + 1, size=b)])

    def _final(self, img, rng, lr_size) -> torch.Tensor:
        c = self.config
        b = img.shape[0]
        mode = RESIZE_MODES[int(rng.integers(len(RESIZE_MODES)))]
        use_sinc = rng.random() < c.final_sinc_probability
        kernels = stack_kernels([random_final_sinc(rng) for _ in range(b)]) if use_sinc else None
        qualities = [int(q) for q in rng.integers(c.stage2.jpeg_quality[0], c.stage2.jpeg_quality[1] + 1, size=b)]
        sinc_step = (lambda x: blur(x, kernels)) if kernels is not None else (lambda x: x)
        if rng.random() < 0.5:
            img = self.jpeg(sinc_step(resize(img, lr_size, mode)).clamp(0, 1), qualities)
        else:
            img = sinc_step(resize(self.jpeg(img, qualities), lr_size, mode))
        return to_uint8(img).float() / 255


class PhotoDegrader:
    """The single-pass degradation of `PhotoRanges`; each photo of the batch draws its own."""

    def __init__(self, ranges: PhotoRanges | None = None, codec: JpegCodec | None = None) -> None:
        self.ranges = ranges or PhotoRanges()
        self.jpeg = codec or jpeg

    def __call__(self, hr: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        r = self.ranges
        b = hr.shape[0]
        gen = torch.Generator(device=hr.device)
        gen.manual_seed(int(rng.integers(0, 2**62)))
        img = blur(hr, stack_kernels([self._kernel(rng) for _ in range(b)]))
        img = downscale_antialiased(img, r.scale, RESIZE_MODES[int(rng.integers(len(RESIZE_MODES)))])
        noisy = rng.random(b) < r.noise_probability
        sigma = np.where(noisy, rng.uniform(*r.noise_sigma, size=b), 0.0) / 255
        grey = torch.from_numpy(rng.random(b) < r.grey_noise_probability).to(img.device)
        img = gaussian_noise(img, torch.from_numpy(sigma).float(), grey, gen).clamp(0, 1)
        saved = torch.from_numpy(rng.random(b) < r.jpeg_probability).view(b, 1, 1, 1).to(img.device)
        qualities = [int(q) for q in rng.integers(r.jpeg_quality[0], r.jpeg_quality[1] + 1, size=b)]
        return to_uint8(torch.where(saved, self.jpeg(img, qualities), img)).float() / 255

    def _kernel(self, rng: np.random.Generator) -> np.ndarray:
        r = self.ranges
        if rng.random() >= r.blur_probability:
            return np.ones((1, 1))
        sigma_x = float(rng.uniform(*r.blur_sigma))
        sigma_y, theta = sigma_x, 0.0
        if rng.random() < r.anisotropic_probability:
            sigma_y, theta = float(rng.uniform(*r.blur_sigma)), float(rng.uniform(-np.pi, np.pi))
        size = 2 * int(np.ceil(3 * max(sigma_x, sigma_y))) + 1
        return gaussian(size, sigma_x, sigma_y, theta)


@dataclass
class RealWorldMix:
    """A training batch's LR as the real-world runs draw it: per photo, the clean bicubic LR (`clean_fraction`),
    a single-pass photo degradation (`photo_fraction`) or Real-ESRGAN's second order; a pure function of
    (seed, step)."""

    clean_fraction: float
    photo_fraction: float
    codec: JpegCodec | None = None

    def __post_init__(self) -> None:
        self.second_order = Degrader(codec=self.codec)
        self.single_pass = PhotoDegrader(codec=self.codec)

    def __call__(self, lr: torch.Tensor, hr: torch.Tensor, seed: int, step: int) -> torch.Tensor:
        rng = np.random.default_rng([seed, step, 1])
        degraded = self.second_order(hr, rng)
        draw = torch.from_numpy(rng.random(hr.shape[0])).view(-1, 1, 1, 1).to(hr.device)
        if self.photo_fraction > 0:
            single_pass = self.single_pass(hr, np.random.default_rng([seed, step, 2]))
            degraded = torch.where(draw < self.clean_fraction + self.photo_fraction, single_pass, degraded)
        return torch.where(draw < self.clean_fraction, lr, degraded)
