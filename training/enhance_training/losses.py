"""ESRGAN's losses: L1, the relativistic average GAN loss, and the perceptual loss on VGG19
conv5_4 features before activation."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


def ragan_d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """L_D^Ra = −E[log D_Ra(x_r, x_f)] − E[log(1 − D_Ra(x_f, x_r))], D_Ra(a, b) = σ(C(a) − E[C(b)])."""
    real = F.binary_cross_entropy_with_logits(real_logits - fake_logits.mean(), torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits - real_logits.mean(), torch.zeros_like(fake_logits))
    return (real + fake) / 2


def ragan_g_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """L_G^Ra = −E[log(1 − D_Ra(x_r, x_f))] − E[log D_Ra(x_f, x_r)]: symmetric, so G learns from real images too."""
    real = F.binary_cross_entropy_with_logits(real_logits - fake_logits.mean(), torch.zeros_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits - real_logits.mean(), torch.ones_like(fake_logits))
    return (real + fake) / 2


# VGG19 `features` indices: conv layers and where ReLU/max-pool follow (torchvision layout).
VGG19_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512]
CONV5_4_INDEX = 34  # features.34 is conv5_4; we stop before its ReLU at 35


class VGG19Conv54(nn.Module):
    """VGG19 up to conv5_4, before activation, with torchvision's `features.N` parameter names."""

    MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for item in VGG19_CFG:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, int(item), 3, padding=1), nn.ReLU(inplace=False)]
                channels = int(item)
        self.features = nn.Sequential(*layers[: CONV5_4_INDEX + 1])
        for p in self.parameters():
            p.requires_grad_(False)

    @classmethod
    def from_torchvision(cls, path: Path) -> "VGG19Conv54":
        model = cls()
        state = torch.load(path, map_location="cpu", weights_only=True)
        wanted = {k: v for k, v in state.items() if k.startswith("features.") and int(k.split(".")[1]) <= CONV5_4_INDEX}
        model.load_state_dict(wanted)
        return model.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features((x - self.MEAN.to(x)) / self.STD.to(x))


class PerceptualLoss(nn.Module):
    def __init__(self, vgg: VGG19Conv54) -> None:
        super().__init__()
        self.vgg = vgg

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        return F.l1_loss(self.vgg(sr), self.vgg(hr).detach())


def feature_matching_loss(real_features: list[torch.Tensor], fake_features: list[torch.Tensor]) -> torch.Tensor:
    """The substitute when no VGG19 weights are given: L1 between the discriminator's intermediate
    features (before activation) of the HR and the SR patch, averaged over layers."""
    terms = [F.l1_loss(f, r.detach()) for r, f in zip(real_features, fake_features)]
    return torch.stack(terms).mean()


def colour_loss(sr: torch.Tensor, hr: torch.Tensor, block: int = 16) -> torch.Tensor:
    """L1 between block means of SR and HR: a low-pass term that holds each area's colour and brightness
    (the GAN stage's magenta cast) while leaving the texture inside a block to the other losses."""
    return F.l1_loss(F.avg_pool2d(sr, block), F.avg_pool2d(hr, block))


def log_mse_loss(sr: torch.Tensor, hr: torch.Tensor, floor: float = 1e-3) -> torch.Tensor:
    """Mean over the batch of log(MSE of each patch + floor): a benchmark averages PSNR in dB over photos, so a
    patch's error counts relative to its own size, not in absolute levels as in plain MSE, where the most degraded
    patches dominate. The floor (30 dB) keeps flat patches from taking over."""
    per_patch = (sr - hr).pow(2).flatten(1).mean(1)
    return torch.log(per_patch + floor).mean()


# BT.601's chroma rows for RGB in [0, 1] (Cb, Cr, scaled to [-0.5, 0.5]): what PSNR-Y leaves out.
CHROMA = torch.tensor([[-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])


# BT.601's luma row for RGB in [0, 1]: what PSNR-Y and NIQE read.
LUMA = torch.tensor([[0.299, 0.587, 0.114]])


def planes(rows: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The planes of a B×3×H×W batch that `rows` (one RGB row per plane) project it to."""
    return torch.einsum("cj,njhw->nchw", rows.to(x), x)


def luma(x: torch.Tensor) -> torch.Tensor:
    """The B×1×H×W BT.601 luma of a B×3×H×W batch."""
    return planes(LUMA, x)


def chroma_loss(sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
    """L1 of the Cb and Cr planes at full resolution: it holds the output's colour to the original's along edges,
    where the GAN stage paints coloured fringes, and leaves luma, where realistic texture lives, to the other terms."""
    return F.l1_loss(planes(CHROMA, sr), planes(CHROMA, hr))


def local_variance(x: torch.Tensor, window: int) -> torch.Tensor:
    """The unbiased variance of each pixel's window × window neighbourhood (reflected at the borders)."""
    pad = window // 2
    padded = F.pad(x, [pad] * 4, mode="reflect")
    mean = F.avg_pool2d(padded, window, stride=1)
    mean_sq = F.avg_pool2d(padded * padded, window, stride=1)
    n = window * window
    return ((mean_sq - mean * mean) * n / (n - 1)).clamp_min(0)


def artifact_map(sr: torch.Tensor, stable_sr: torch.Tensor, hr: torch.Tensor, window: int = 7) -> torch.Tensor:
    """LDL's artefact map (Liang et al., CVPR 2022): where the GAN output's residual is locally erratic
    (high variance in a window, scaled by the patch's residual variance^(1/5)) and no closer to the target
    than the stable weights' (the moving average), the output is likely an artefact, not a detail."""
    residual = (hr - sr).abs().sum(1, keepdim=True)
    stable_residual = (hr - stable_sr).abs().sum(1, keepdim=True)
    patch = residual.flatten(1).var(1).view(-1, 1, 1, 1) ** 0.2
    weight = patch * local_variance(residual, window)
    return torch.where(residual < stable_residual, torch.zeros_like(weight), weight)


def artifact_loss(sr: torch.Tensor, stable_sr: torch.Tensor, hr: torch.Tensor, window: int = 7) -> torch.Tensor:
    """L1 between SR and HR weighted by the artefact map, which is held fixed (no gradient through it)."""
    weight = artifact_map(sr.detach(), stable_sr, hr, window)
    return F.l1_loss(weight * sr, weight * hr)
