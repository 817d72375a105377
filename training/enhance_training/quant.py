"""The app's int8 RRDBNet (src/engine/onnx/int8.ts) in PyTorch: the same quantisation points, ranges and
rounding, so training can see what the engine's int8 graph computes (quantisation-aware fine-tuning) and
the fixtures can pin the two together.

Activations are uint8 with a calibrated range [lo, hi] widened to include 0 (ONNX QuantizeLinear: round
half to even, saturate); weights are int8 per output channel, symmetric (max |w| ↦ 127, JavaScript's
Math.round; or ↦ 63, the 7-bit weights the engine uses where 8-bit u8×s8 kernels saturate); biases are int32 at input scale × weight scale. Keys: `<conv>:in`, `<conv>:out`, `<conv>:act`.
`conv_first` and `conv_body` stay float, the residual adds stay float, and `conv_last`'s output is
quantised to [0, 1] in steps of 1/255, exactly the 8-bit image.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

import torch
import torch.nn.functional as F

from .arch import RRDBNet, lrelu

Range = tuple[float, float]
FLOAT_KEYS = re.compile(r"^(conv_first|conv_body):|^conv_last:in$")
OUTPUT_RANGE: Range = (0.0, 1.0)


def activation_params(lo: float, hi: float) -> tuple[float, int]:
    """(scale, zero point) as the engine's activationParams: float32 scale, zero point in 0…255."""
    low, high = min(lo, 0.0), max(hi, 0.0)
    scale = (high - low) / 255 if high > low else 1.0
    return float(torch.tensor(scale, dtype=torch.float32)), int(min(255, max(0, round(-low / scale))))


def straight_through(x: torch.Tensor, quantised: torch.Tensor) -> torch.Tensor:
    """`quantised`'s values with `x`'s gradient (the straight-through estimator of quantisation-aware training)."""
    return x + (quantised - x).detach()


def fake_quant(x: torch.Tensor, rng: Range, ste: bool = False) -> torch.Tensor:
    """QuantizeLinear then DequantizeLinear at `rng`'s uint8 parameters."""
    scale, zero = activation_params(*rng)
    q = torch.clamp(torch.round(x / scale) + zero, 0, 255)
    y = (q - zero) * scale
    return straight_through(x, y) if ste else y


def quantise_weight(w: torch.Tensor, levels: int = 127) -> tuple[torch.Tensor, torch.Tensor]:
    """int8 values (as float) and float32 scales per output channel, as the engine's quantiseWeights."""
    flat = w.detach().double().reshape(w.shape[0], -1)
    peak = flat.abs().amax(dim=1)
    scale64 = torch.where(peak > 0, peak / levels, torch.ones_like(peak))
    values = torch.floor(flat / scale64[:, None] + 0.5).reshape(w.shape)
    return values.float(), scale64.float()


def int8_conv(x: torch.Tensor, conv: torch.nn.Conv2d, input_range: Range, ste: bool = False, levels: int = 127) -> torch.Tensor:
    values, scales = quantise_weight(conv.weight, levels)
    bias_scales = (scales.double() * activation_params(*input_range)[0]).float()
    bias = (torch.floor(conv.bias.detach().double() / bias_scales.double() + 0.5) * bias_scales.double()).float()
    weight = values * scales[:, None, None, None]
    if ste:
        weight, bias = straight_through(conv.weight, weight), straight_through(conv.bias, bias)
    return F.conv2d(x, weight, bias, padding=1)


Hook = Callable[[torch.Tensor, str], torch.Tensor]


class _Graph:
    """One pass over RRDBNet in the engine graph's order; `at` is applied at every activation key."""

    def __init__(self, net: RRDBNet, at: Hook, ranges: dict[str, Range] | None, ste: bool = False, levels: int = 127) -> None:
        self.net, self.at, self.ranges, self.ste, self.levels = net, at, ranges or {}, ste, levels
        # by id, holding the tensor too: a freed tensor's id can be reused by a new one
        self.quantised: dict[int, tuple[str, torch.Tensor]] = {}

    def key_of(self, t: torch.Tensor) -> str | None:
        entry = self.quantised.get(id(t))
        return entry[0] if entry else None

    def mark(self, t: torch.Tensor, key: str) -> torch.Tensor:
        y = self.at(t, key)
        if key in self.ranges:
            self.quantised[id(y)] = (key, y)
        return y

    def input(self, t: torch.Tensor, key: str) -> torch.Tensor:
        return t if self.key_of(t) else self.mark(t, key)

    def conv(self, name: str, x: torch.Tensor) -> torch.Tensor:
        module = self.net.get_submodule(name)
        x = self.input(x, f"{name}:in")
        in_key = self.key_of(x)
        if in_key and f"{name}:out" in self.ranges:
            y = int8_conv(x, module, self.ranges[in_key], self.ste, self.levels)
        else:
            y = module(x)
        return self.mark(y, f"{name}:out")

    def rdb(self, block: int, r: int, x: torch.Tensor) -> torch.Tensor:
        name = lambda c: f"body.{block}.rdb{r}.conv{c}"  # noqa: E731
        quantised = self.mark(x, f"{name(1)}:in")
        features = [quantised]
        for c in range(1, 6):
            inp = quantised if c == 1 else torch.cat(features, 1)
            out = self.conv(name(c), inp)
            if c == 5:
                return x + 0.2 * out
            features.append(self.mark(lrelu(out), f"{name(c)}:act"))
        raise AssertionError("unreachable")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        net = self.net
        feat = F.pixel_unshuffle(x, net.unshuffle) if net.unshuffle > 1 else x
        first = self.conv("conv_first", feat)
        trunk = first
        for b in range(len(net.body)):
            y = trunk
            for r in (1, 2, 3):
                y = self.rdb(b, r, y)
            trunk = trunk + 0.2 * y
        feat = first + self.conv("conv_body", trunk)
        for i in range(net.num_up):
            name = f"conv_up{i + 1}"
            inp = self.input(feat, f"{name}:in")
            up = F.interpolate(inp, scale_factor=2, mode="nearest")
            key = self.key_of(inp)
            up = self.mark(up, key) if key else up
            feat = self.mark(lrelu(self.conv(name, up)), f"{name}:act")
        hidden = self.mark(lrelu(self.conv("conv_hr", feat)), "conv_hr:act")
        return self.conv("conv_last", hidden)


def int8_forward(net: RRDBNet, x: torch.Tensor, ranges: dict[str, Range], ste: bool = False, levels: int = 127) -> torch.Tensor:
    """What the engine's int8 graph with these ranges computes (up to float rounding at step boundaries);
    with `ste`, differentiable for quantisation-aware training; `levels` 63 for its 7-bit weights."""

    def at(t: torch.Tensor, key: str) -> torch.Tensor:
        return fake_quant(t, ranges[key], ste) if key in ranges else t

    return _Graph(net, at, ranges, ste, levels).forward(x)


@torch.no_grad()
def calibrate(net: RRDBNet, inputs: Iterable[torch.Tensor]) -> dict[str, Range]:
    """Each quantised key's min and max over the float network's runs, as the engine's calibratedRanges."""
    ranges: dict[str, list[float]] = {}

    def record(t: torch.Tensor, key: str) -> torch.Tensor:
        if not FLOAT_KEYS.match(key) and key != "conv_last:out":
            lo, hi = ranges.setdefault(key, [0.0, 0.0])
            ranges[key] = [min(lo, float(t.min())), max(hi, float(t.max()))]
        return t

    for x in inputs:
        _Graph(net, record, None).forward(x)
    result = {k: (v[0], v[1]) for k, v in ranges.items()}
    result["conv_last:out"] = OUTPUT_RANGE
    return result
