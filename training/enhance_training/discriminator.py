"""ESRGAN's VGG-style discriminator for 128×128 HR patches (discriminator_vgg_128), width configurable."""

from __future__ import annotations

import torch
from torch import nn


class VGGDiscriminator(nn.Module):
    def __init__(self, in_ch: int = 3, nf: int = 64, patch: int = 128) -> None:
        super().__init__()
        widths = [nf, nf * 2, nf * 4, nf * 8, nf * 8]
        layers: list[nn.Module] = []
        channels = in_ch
        for i, width in enumerate(widths):
            # Each stage: 3×3 stride 1 then 4×4 stride 2; the very first conv has no normalisation.
            layers.append(nn.Conv2d(channels, width, 3, 1, 1, bias=i == 0))
            if i > 0:
                layers.append(nn.BatchNorm2d(width, affine=True))
            layers.append(nn.LeakyReLU(0.2))
            layers += [nn.Conv2d(width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width, affine=True), nn.LeakyReLU(0.2)]
            channels = width
        self.features = nn.Sequential(*layers)
        side = patch // 32
        self.classifier = nn.Sequential(nn.Linear(channels * side * side, 100), nn.LeakyReLU(0.2), nn.Linear(100, 1))

    def forward(self, x: torch.Tensor, with_features: bool = False):
        feats = []
        h = x
        for layer in self.features:
            h = layer(h)
            if with_features and isinstance(layer, nn.BatchNorm2d):
                feats.append(h)
        logits = self.classifier(h.flatten(1))
        return (logits, feats) if with_features else logits
