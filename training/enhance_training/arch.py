"""RRDBNet exactly as in ESRGAN (Wang et al., 2018), with BasicSR parameter names.

No BatchNorm, residual scaling 0.2, LeakyReLU 0.2, nearest-neighbour upsampling.
`num_up` ×2 upsampling stages and an optional pixel-unshuffle in front cover every
scale the app reads: scale = 2**num_up / unshuffle.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def lrelu(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, negative_slope=0.2)


class ResidualDenseBlock(nn.Module):
    def __init__(self, nf: int, gc: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(nf, gc, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + gc, gc, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = lrelu(self.conv1(x))
        x2 = lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x + 0.2 * x5


class RRDB(nn.Module):
    def __init__(self, nf: int, gc: int) -> None:
        super().__init__()
        self.rdb1 = ResidualDenseBlock(nf, gc)
        self.rdb2 = ResidualDenseBlock(nf, gc)
        self.rdb3 = ResidualDenseBlock(nf, gc)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 0.2 * self.rdb3(self.rdb2(self.rdb1(x)))


class RRDBNet(nn.Module):
    def __init__(
        self,
        in_ch: int = 3,
        out_ch: int = 3,
        nf: int = 64,
        nb: int = 23,
        gc: int = 32,
        num_up: int = 2,
        unshuffle: int = 1,
    ) -> None:
        super().__init__()
        self.args = dict(in_ch=in_ch, out_ch=out_ch, nf=nf, nb=nb, gc=gc, num_up=num_up, unshuffle=unshuffle)
        self.unshuffle = unshuffle
        self.num_up = num_up
        self.conv_first = nn.Conv2d(in_ch * unshuffle * unshuffle, nf, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(nf, gc) for _ in range(nb)])
        self.conv_body = nn.Conv2d(nf, nf, 3, 1, 1)
        for i in range(num_up):
            setattr(self, f"conv_up{i + 1}", nn.Conv2d(nf, nf, 3, 1, 1))
        self.conv_hr = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, out_ch, 3, 1, 1)

    @property
    def scale(self) -> float:
        return 2**self.num_up / self.unshuffle

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Everything before `conv_hr`: the upsampled features the last two convolutions turn into colour."""
        feat = F.pixel_unshuffle(x, self.unshuffle) if self.unshuffle > 1 else x
        feat = self.conv_first(feat)
        feat = feat + self.conv_body(self.body(feat))
        for i in range(self.num_up):
            up = getattr(self, f"conv_up{i + 1}")
            feat = lrelu(up(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return feat

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_last(lrelu(self.conv_hr(self.features(x))))


def scaled_kaiming_init(model: nn.Module, scale: float = 0.1) -> None:
    """ESRGAN's smaller initialisation: Kaiming normal scaled by 0.1, zero biases, for the convolutions
    inside the residual dense blocks (as the official code does). The trunk and upsampler keep PyTorch's
    default initialisation, so the signal reaches the output from the first step."""
    for block in model.modules():
        if isinstance(block, ResidualDenseBlock):
            for m in block.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, a=0, mode="fan_in")
                    m.weight.data.mul_(scale)
                    m.bias.data.zero_()


def grow_blocks(state: dict[str, torch.Tensor], model_args: dict, nb: int) -> dict[str, torch.Tensor]:
    """The same function with `nb` RRDBs instead of the state's fewer: a wider capacity to train on without
    losing what was learnt. New blocks go after the old ones with their last convolutions zeroed, so each
    is x ↦ 1.2·x (RRDB's residual scaling around three identities); conv_body is divided by the same
    factor, so the output is unchanged up to float rounding."""
    old = model_args["nb"]
    if nb < old:
        raise ValueError(f"cannot shrink an RRDBNet from {old} to {nb} blocks")
    grown = RRDBNet(**{**model_args, "nb": nb})
    scaled_kaiming_init(grown, 0.1)
    new_state = grown.state_dict()
    for key, value in state.items():
        new_state[key] = value.clone()
    for i in range(old, nb):
        for rdb in ("rdb1", "rdb2", "rdb3"):
            new_state[f"body.{i}.{rdb}.conv5.weight"].zero_()
            new_state[f"body.{i}.{rdb}.conv5.bias"].zero_()
    new_state["conv_body.weight"] = state["conv_body.weight"] / 1.2 ** (nb - old)
    return new_state


def count_blocks(state: dict[str, torch.Tensor]) -> int:
    return len({key.split(".")[1] for key in state if key.startswith("body.")})


def state_width(state: dict[str, torch.Tensor]) -> tuple[int, int]:
    """(nf, gc) of an RRDBNet state: the trunk's channels and each dense layer's growth."""
    return state["conv_first.weight"].shape[0], state["body.0.rdb1.conv1.weight"].shape[0]


def widen(state: dict[str, torch.Tensor], model_args: dict, nf: int, gc: int) -> dict[str, torch.Tensor]:
    """The same function with a wider trunk (`nf`) and dense growth (`gc`): every old weight keeps its place,
    weights that read a new channel start at zero (so nothing old sees them), and weights that write one
    start as a fresh network's would (so the new channels carry signal and the zeros get gradients)."""
    old_nf, old_gc = model_args["nf"], model_args["gc"]
    if nf < old_nf or gc < old_gc:
        raise ValueError(f"cannot narrow an RRDBNet from nf {old_nf}, gc {old_gc} to nf {nf}, gc {gc}")
    wide = RRDBNet(**{**model_args, "nf": nf, "gc": gc})
    scaled_kaiming_init(wide, 0.1)
    new_state = {key: value.detach().clone() for key, value in wide.state_dict().items()}

    def dense_input(layer: int) -> torch.Tensor:
        """Where the old input channels of a dense layer (concat of x and the earlier layers' outputs) land."""
        segments = [torch.arange(old_nf)] + [nf + k * gc + torch.arange(old_gc) for k in range(layer - 1)]
        return torch.cat(segments)

    for key, old in state.items():
        new = new_state[key]
        rows = torch.arange(old.shape[0])
        if old.dim() == 1:
            new[rows] = old
            continue
        layer = int(key.split(".")[-2][-1]) if ".rdb" in key else 0
        cols = dense_input(layer) if layer else torch.arange(old.shape[1])
        new[rows] = 0.0
        new[rows[:, None], cols[None, :]] = old
    return new_state


def grow_network(state: dict[str, torch.Tensor], model_args: dict, target_args: dict) -> dict[str, torch.Tensor]:
    """`state` (of `model_args`) grown to `target_args`' blocks and widths, computing the same function;
    `state` itself when they match."""
    grown = grow_blocks(state, model_args, target_args["nb"]) if target_args["nb"] != model_args["nb"] else state
    deeper = {**model_args, "nb": target_args["nb"]}
    if (target_args["nf"], target_args["gc"]) == (model_args["nf"], model_args["gc"]):
        return grown
    return widen(grown, deeper, target_args["nf"], target_args["gc"])
