import json

import numpy as np
import torch
from PIL import Image

from enhance_training.arch import RRDBNet
from enhance_training.calibrate import ALPHAS, blend, network
from enhance_training.colour_tune import HEAD, TUNE_FOLDERS, blended_head, colour_tune, high_pass, tune_head
from enhance_training.data import Pair, PatchSampler
from enhance_training.export import read_safetensors, write_safetensors
from enhance_training.losses import chroma_loss, luma

ARCH = {"arch": "RRDBNet", "scale": 4, "nf": 8, "nb": 1, "gc": 4, "inChannels": 3, "outChannels": 3}


def nearest_upscaler() -> dict[str, torch.Tensor]:
    """An RRDBNet that computes nearest-neighbour ×4 (channels 0–2 carried through centre taps; the
    body's residuals are zero), so its block means match the photo's and any cast is the one we add."""
    state = {k: torch.zeros_like(v) for k, v in RRDBNet(nf=8, nb=1, gc=4).state_dict().items()}
    for name in ("conv_first", "conv_up1", "conv_up2", "conv_hr", "conv_last"):
        for c in range(3):
            state[f"{name}.weight"][c, c, 1, 1] = 1.0
    return state


def test_the_split_forward_is_the_network_at_every_blend():
    torch.manual_seed(0)
    psnr, gan = RRDBNet(nf=8, nb=1, gc=4).state_dict(), RRDBNet(nf=8, nb=1, gc=4).state_dict()
    x = torch.rand(1, 3, 12, 10)
    for a in (0.0, 0.3, 1.0):
        net = network(blend(psnr, gan, a), ARCH)
        with torch.no_grad():
            split = blended_head(net.features(x), psnr, gan, a)
            assert torch.allclose(split, net(x), atol=1e-6)


def test_high_pass_removes_a_constant_and_keeps_detail():
    flat = torch.full((1, 3, 32, 32), 0.4)
    assert torch.allclose(high_pass(flat), torch.zeros_like(flat), atol=1e-6)
    checker = (torch.arange(32)[:, None] + torch.arange(32)[None, :]) % 2
    detail = flat + 0.1 * checker.float()
    assert torch.allclose(high_pass(detail)[..., 8:-8, 8:-8], 0.1 * checker.float()[8:-8, 8:-8] - 0.05, atol=1e-5)


def test_colour_tune_trains_only_the_gan_head_and_removes_its_cast(tmp_path):
    psnr = nearest_upscaler()
    gan = dict(psnr)
    gan["conv_last.bias"] = torch.tensor([0.03, -0.02, 0.0])  # +7.65 / −5.1 levels at α = 1
    gan["conv_first.weight"] = psnr["conv_first.weight"] * 1.0  # a distinct tensor that must come back unchanged
    meta = {"enhance.arch": json.dumps(ARCH), "enhance.training": json.dumps({"stage": "gan"})}
    write_safetensors(psnr, tmp_path / "psnr.safetensors", meta)
    write_safetensors(gan, tmp_path / "gan.safetensors", meta)
    rng = np.random.default_rng(1)
    for folder in TUNE_FOLDERS:
        (tmp_path / "train" / folder).mkdir(parents=True)
        for i in range(2):
            yy, xx = np.mgrid[0:256, 0:256] / 50.0
            base = np.stack([np.sin(xx * (i + 1)), np.cos(yy), np.sin(xx + yy)], -1) * 0.3 + 0.5
            img = ((base + rng.normal(0, 0.02, base.shape)).clip(0, 1) * 255).astype(np.uint8)
            Image.fromarray(img).save(tmp_path / "train" / folder / f"{i}.png")

    summary = colour_tune(
        tmp_path / "psnr.safetensors", tmp_path / "gan.safetensors", tmp_path / "out.safetensors",
        tmp_path / "train", steps=60, crop=48, log=lambda line: None,
    )

    out, out_meta = read_safetensors(tmp_path / "out.safetensors")
    for key in gan:
        if key not in HEAD:
            assert torch.equal(out[key], gan[key]), key
    assert not torch.equal(out["conv_last.bias"], gan["conv_last.bias"])
    before = np.array(summary["shift_before"]["1.0"])
    after = np.array(summary["shift_after"]["1.0"])
    assert abs(before[0] - 7.65) < 0.3 and abs(before[1] + 5.1) < 0.3  # the cast we put in, measured
    for a in ALPHAS:
        assert np.abs(summary["shift_after"][str(a)]).max() < 0.25 * np.abs(summary["shift_before"][str(a)]).max()
    assert np.abs(after).max() < 1.5
    training = json.loads(out_meta["enhance.training"])
    assert training["stage"] == "gan" and training["colour_tune"]["steps"] == 60


def test_the_chroma_tune_takes_out_fringes_and_its_tether_holds_luma():
    """A partner that paints a luma-neutral colour along vertical edges (a fringe) loses most of it; the rest of the
    network is untouched, and the luma tether keeps luma closer to the partner's than no tether does."""
    psnr = nearest_upscaler()
    gan = {k: v.clone() for k, v in psnr.items()}
    fringe = torch.tensor([-1.0, 1.0, -(0.587 - 0.299) / 0.114])  # luma 0: a pure chroma direction
    edge = torch.tensor([[0.0, 0.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]) / 2
    for c in range(3):
        gan["conv_last.weight"][c, :3] += fringe[c] * edge
    # Photos of 4-px blocks, so the faithful end (nearest ×4) is exact and every chroma error is the fringe.
    rng = np.random.default_rng(2)
    blocks = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(4)]
    sampler = PatchSampler([Pair(f"{i}", lr.repeat(4, 0).repeat(4, 1), lr) for i, lr in enumerate(blocks)], 16)
    tune = lambda tether: tune_head(psnr, gan, ARCH, sampler, steps=150, batch=4, lr=5e-3, tether=tether, chroma_weight=1.0)
    tuned, untethered = tune(1.0), tune(0.0)

    for key in gan:
        if key not in HEAD:
            assert torch.equal(tuned[key], gan[key]), key
    lr_img, _ = sampler.batch(99, 0, 4)
    inner = lambda x: x[..., 4:-4, 4:-4]  # the zero padding at the border is an edge the head cannot tell apart
    with torch.no_grad():
        plain, before, after, loose = (inner(network(w, ARCH)(lr_img)) for w in (psnr, gan, tuned, untethered))
    assert chroma_loss(after, plain) < 0.4 * chroma_loss(before, plain)
    luma_drift = lambda x: (luma(x) - luma(before)).abs().mean()
    assert luma_drift(after) < 0.5 * luma_drift(loose)
