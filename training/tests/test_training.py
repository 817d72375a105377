import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from enhance_training.arch import RRDBNet, count_blocks, grow_blocks, grow_network, scaled_kaiming_init, state_width, widen
from enhance_training.config import Config
from enhance_training.data import PatchSampler, load_pairs
from enhance_training.export import export, grow, read_safetensors, write_safetensors
from enhance_training.imresize import downsample_uint8, imresize
from enhance_training.losses import chroma_loss, colour_loss, log_mse_loss, ragan_d_loss, ragan_g_loss
from enhance_training.jpeg_torch import jpeg_torch
from enhance_training.degradations import jpeg
from enhance_training.train import Trainer, check_bf16, cpu_has_native_bf16, jpeg_codec, learning_rate, training_device

ROOT = Path(__file__).resolve().parents[2]


def tiny_config(tmp: Path, photos: Path, **overrides) -> Config:
    values = dict(out=str(tmp / "run"), data=str(photos), val=str(tmp / "no-val"), nf=8, nb=1, gc=4, iters=6,
                  batch=2, lr_patch=12, warmup=0, log_every=100, val_every=3, threads=1, lr=1e-3)
    values.update(overrides)
    return Config(**values)


@pytest.mark.parametrize("num_up,unshuffle,scale", [(2, 1, 4), (3, 1, 8), (2, 2, 2), (2, 4, 1)])
def test_shapes(num_up, unshuffle, scale):
    net = RRDBNet(nf=8, nb=1, gc=4, num_up=num_up, unshuffle=unshuffle)
    out = net(torch.rand(1, 3, 8, 12))
    assert out.shape == (1, 3, 8 * scale, 12 * scale)


def test_no_batchnorm_and_residual_scaling():
    net = RRDBNet(nf=8, nb=2, gc=4)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    rdb = net.body[0].rdb1
    x = torch.rand(1, 8, 5, 5)
    torch.nn.init.zeros_(rdb.conv5.weight)
    torch.nn.init.constant_(rdb.conv5.bias, 1.0)
    assert torch.allclose(rdb(x), x + 0.2)


def test_initialisation_is_kaiming_times_point_one_in_the_dense_blocks():
    torch.manual_seed(0)
    net = RRDBNet(nf=64, nb=1, gc=32)
    default_std = net.conv_body.weight.std().item()
    scaled_kaiming_init(net, 0.1)
    conv = net.body[0].rdb2.conv5
    expected = 0.1 * math.sqrt(2 / (conv.in_channels * 9))
    assert abs(conv.weight.std().item() - expected) / expected < 0.05
    assert conv.bias.abs().max().item() == 0
    # The trunk keeps PyTorch's default initialisation, as in the official ESRGAN code.
    assert net.conv_body.weight.std().item() == default_std


def test_growing_blocks_keeps_the_function_and_trains_the_new_blocks(tmp_path, photo_folder):
    torch.manual_seed(1)
    small = RRDBNet(nf=8, nb=2, gc=4)
    for p in small.parameters():
        p.data.normal_(0, 0.05)
    grown = RRDBNet(nf=8, nb=5, gc=4)
    grown.load_state_dict(grow_blocks(small.state_dict(), small.args, 5))
    x = torch.rand(1, 3, 10, 14)
    with torch.no_grad():
        assert (grown(x) - small(x)).abs().max().item() < 1e-5
    assert count_blocks(grown.state_dict()) == 5
    assert grown.body[4].rdb2.conv5.weight.abs().max().item() == 0
    assert grown.body[4].rdb2.conv1.weight.abs().max().item() > 0
    with pytest.raises(ValueError):
        grow_blocks(grown.state_dict(), grown.args, 2)
    # A warm start from the smaller network's file grows it, and a step moves the new blocks.
    init = tmp_path / "small.pt"
    torch.save({"g": small.state_dict()}, init)
    trainer = Trainer(tiny_config(tmp_path, photo_folder, nb=5, iters=1, init=str(init)))
    trainer.run(log=lambda line: None)
    assert trainer.g.body[4].rdb2.conv5.weight.abs().max().item() > 0


def test_widening_keeps_the_function_and_trains_the_new_channels(tmp_path, photo_folder):
    torch.manual_seed(2)
    small = RRDBNet(nf=8, nb=2, gc=4)
    for p in small.parameters():
        p.data.normal_(0, 0.05)
    target = {**small.args, "nb": 3, "nf": 12, "gc": 6}
    wide = RRDBNet(**target)
    wide.load_state_dict(grow_network(small.state_dict(), small.args, target))
    x = torch.rand(1, 3, 9, 11)
    with torch.no_grad():
        assert (wide(x) - small(x)).abs().max().item() < 1e-5
    assert state_width(wide.state_dict()) == (12, 6)
    conv3 = wide.body[1].rdb2.conv3.weight
    # Old weights in place: the dense input is [x (12), x1 (6), x2 (6)]; the old x1 sat at 8…11, now at 12…15.
    assert torch.equal(conv3[:4, 12:16], small.body[1].rdb2.conv3.weight[:4, 8:12])
    assert conv3[:4, 8:12].abs().max().item() == 0 and conv3[:4, 16:18].abs().max().item() == 0
    assert conv3[4:].abs().max().item() > 0  # the new channels are written, so they carry signal
    with pytest.raises(ValueError):
        widen(wide.state_dict(), wide.args, 8, 6)
    # A warm start from the narrower file widens it, and one step moves the zeros that read new channels.
    init = tmp_path / "small.pt"
    torch.save({"g": small.state_dict()}, init)
    trainer = Trainer(tiny_config(tmp_path, photo_folder, nb=3, nf=12, gc=6, iters=1, init=str(init)))
    trainer.run(log=lambda line: None)
    assert trainer.g.conv_last.weight[:, 8:].abs().max().item() > 0


def test_bf16_step_computes_the_float32_loss_to_bfloat16_precision(tmp_path, photo_folder, monkeypatch):
    # The numerics, on any CPU: emulated bfloat16 (slow, which check_bf16 refuses for real runs) rounds the same way.
    monkeypatch.setattr("enhance_training.train.check_bf16", lambda device: None)
    losses = {}
    for bf16 in (False, True):
        trainer = Trainer(tiny_config(tmp_path / str(bf16), photo_folder, bf16=bf16, channels_last=False))
        torch.manual_seed(0)
        lr, hr = torch.rand(2, 3, 12, 12), torch.rand(2, 3, 48, 48)
        assert trainer.generate(lr).dtype == torch.float32
        before = trainer.g.conv_last.weight.detach().clone()
        losses[bf16] = trainer.psnr_step(lr, hr)["l1"]
        assert not torch.equal(before, trainer.g.conv_last.weight)
        assert trainer.g.conv_last.weight.dtype == torch.float32
    # Same weights (same seed), so the losses agree to bfloat16's 8 bits of mantissa, and no closer than float32.
    assert abs(losses[True] - losses[False]) < 0.01 * losses[False]
    assert losses[True] != losses[False]


def test_bf16_is_refused_on_a_cpu_that_would_emulate_it(tmp_path):
    zen2 = "flags\t\t: fpu sse sse2 avx avx2 fma\n"
    sapphire = "flags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16\n"
    assert not cpu_has_native_bf16(zen2)
    assert cpu_has_native_bf16(sapphire)
    assert not cpu_has_native_bf16("flags : avx512_bf16x\n")  # whole flags only
    (tmp_path / "zen2").write_text(zen2)
    (tmp_path / "sapphire").write_text(sapphire)
    with pytest.raises(SystemExit, match="--bf16 false"):
        check_bf16(torch.device("cpu"), tmp_path / "zen2")
    check_bf16(torch.device("cpu"), tmp_path / "sapphire")
    check_bf16(torch.device("cpu"), tmp_path / "no-cpuinfo")  # cannot tell: runs


def test_jpeg_codec_auto_keeps_a_gpu_batch_on_the_gpu():
    assert jpeg_codec("auto", torch.device("cpu")) is jpeg
    assert jpeg_codec("auto", torch.device("cuda")) is jpeg_torch
    assert jpeg_codec("torch", torch.device("cpu")) is jpeg_torch
    assert jpeg_codec("libjpeg", torch.device("cuda")) is jpeg
    with pytest.raises(SystemExit, match="auto, libjpeg or torch"):
        jpeg_codec("nvjpeg", torch.device("cpu"))


def test_a_run_degrades_with_the_codec_it_asks_for(tmp_path, photo_folder):
    batches = {}
    for codec in ("auto", "libjpeg", "torch"):
        trainer = Trainer(tiny_config(tmp_path / codec, photo_folder, degradation="realworld", jpeg_codec=codec,
                                      batch=6, lr_patch=16, photo_fraction=0.5, clean_fraction=0.2))
        trainer.sampler = PatchSampler(load_pairs(photo_folder), 16)
        batches[codec] = trainer.training_batch()[0] * 255
    assert torch.equal(batches["auto"], batches["libjpeg"])  # on a CPU
    assert torch.equal(batches["torch"], batches["libjpeg"])  # the codecs agree to the bit
    assert not torch.equal(batches["libjpeg"], trainer.sampler.batch(trainer.config.seed, 0, 6)[0] * 255)


def blended_by_hand(trainer: Trainer, lr: torch.Tensor) -> torch.Tensor:
    """The network interpolated at this step's α with `trainer.partner`, built as a plain module."""
    alpha = float(np.random.default_rng([trainer.config.seed, trainer.step, 7]).uniform(0.2, 0.8))
    manual = RRDBNet(**trainer.config.model_args)
    manual.load_state_dict({k: (1 - alpha) * trainer.partner[k] + alpha * v for k, v in trainer.g.state_dict().items()})
    return manual(lr)


def nudge(net: torch.nn.Module, by: float) -> None:
    with torch.no_grad():
        for p in net.parameters():
            p.add_(by)


def test_blend_colour_term_scores_the_interpolated_network(tmp_path, photo_folder):
    trainer = Trainer(tiny_config(tmp_path, photo_folder, stage="gan", blend_colour_weight=1.0, channels_last=False))
    nudge(trainer.g, 0.02)
    torch.manual_seed(0)
    lr, hr = torch.rand(2, 3, 12, 12), torch.rand(2, 3, 48, 48)
    expected = colour_loss(blended_by_hand(trainer, lr), hr).item()
    assert abs(colour_loss(trainer.blended_output(lr), hr).item() - expected) < 1e-6
    assert trainer.gan_step(lr, hr)["blend_colour"] == pytest.approx(expected, rel=1e-5)


def test_blend_term_scores_the_middle_against_a_given_partner(tmp_path, photo_folder):
    partner = RRDBNet(nf=8, nb=1, gc=4)
    torch.manual_seed(3)
    for p in partner.parameters():
        torch.nn.init.normal_(p, std=0.05)
    write_safetensors(partner.state_dict(), tmp_path / "faithful.safetensors", {})
    trainer = Trainer(tiny_config(tmp_path, photo_folder, stage="gan", blend_weight=1.0, channels_last=False,
                                  blend_partner=str(tmp_path / "faithful.safetensors")))
    assert all(torch.equal(trainer.partner[k], v) for k, v in partner.state_dict().items())
    torch.manual_seed(0)
    lr, hr = torch.rand(2, 3, 12, 12), torch.rand(2, 3, 48, 48)
    middle = blended_by_hand(trainer, lr)
    real_logits, real_feats = trainer.d(hr, with_features=True)
    expected = trainer.weighted_realism(*trainer.realism_terms(middle, trainer.pixel_target(hr), real_logits, real_feats)).item()
    alone = Trainer(tiny_config(tmp_path / "alone", photo_folder, stage="gan", channels_last=False))
    alone.g.load_state_dict(trainer.g.state_dict())
    alone.d.load_state_dict(trainer.d.state_dict())
    assert trainer.gan_step(lr, hr)["blend"] == pytest.approx(expected, rel=1e-5)
    assert alone.gan_step(lr, hr)["blend"] == 0
    # The middle's terms reach the realistic end's weights: the same step moves them differently without it.
    assert any(not torch.equal(a, b) for a, b in zip(trainer.g.parameters(), alone.g.parameters()))


def test_chroma_term_scores_the_realistic_end_against_the_plain_original(tmp_path, photo_folder):
    trainer = Trainer(tiny_config(tmp_path, photo_folder, stage="gan", chroma_weight=1.0, gt_usm=True, channels_last=False))
    torch.manual_seed(0)
    lr, hr = torch.rand(2, 3, 12, 12), torch.rand(2, 3, 48, 48)
    with torch.no_grad():
        expected = chroma_loss(trainer.g(lr), hr).item()
    assert trainer.gan_step(lr, hr)["chroma"] == pytest.approx(expected, rel=1e-5)


def test_ragan_losses_match_the_formula():
    real, fake = torch.tensor([[1.0], [2.0]]), torch.tensor([[0.0], [-1.0]])
    sig = lambda v: 1 / (1 + math.exp(-v))
    mean_r, mean_f = 1.5, -0.5
    d_real = [-math.log(sig(r - mean_f)) for r in (1.0, 2.0)]
    d_fake = [-math.log(1 - sig(f - mean_r)) for f in (0.0, -1.0)]
    expected_d = (sum(d_real) / 2 + sum(d_fake) / 2) / 2
    g_real = [-math.log(1 - sig(r - mean_f)) for r in (1.0, 2.0)]
    g_fake = [-math.log(sig(f - mean_r)) for f in (0.0, -1.0)]
    expected_g = (sum(g_real) / 2 + sum(g_fake) / 2) / 2
    assert ragan_d_loss(real, fake).item() == pytest.approx(expected_d, rel=1e-6)
    assert ragan_g_loss(real, fake).item() == pytest.approx(expected_g, rel=1e-6)


def test_matlab_bicubic_matches_known_values():
    # A constant image stays constant; a linear ramp stays a ramp inside the borders.
    flat = torch.full((1, 16, 16), 7.0, dtype=torch.float64)
    assert torch.allclose(imresize(flat, 0.25), torch.full((1, 4, 4), 7.0, dtype=torch.float64))
    ramp = torch.arange(32, dtype=torch.float64).repeat(32, 1)[None]
    out = imresize(ramp, 0.25)[0, 0]
    # Away from the symmetric-padded borders each output is the centre of its 4-pixel block.
    assert out[2:6].tolist() == pytest.approx([9.5, 13.5, 17.5, 21.5])


@pytest.mark.skipif(not (Path(Config().val) / "HR").exists(), reason="../shared/datasets not present")
def test_bicubic_reproduces_the_benchmark_lr_files():
    from enhance_training.data import load_rgb, mod_crop

    root = Path(Config().val)
    for hr_path in sorted((root / "HR").glob("*.png")):
        lr = load_rgb(root / "LR_bicubic_x4" / hr_path.name).astype(float)
        mine = downsample_uint8(mod_crop(load_rgb(hr_path), 4)).astype(float)
        psnr = 10 * np.log10(255**2 / np.mean((mine - lr) ** 2))
        assert psnr > 50, hr_path.name


def test_batches_are_deterministic_and_aligned(photo_folder):
    sampler = PatchSampler(load_pairs(photo_folder), lr_patch=12)
    lr1, hr1 = sampler.batch(seed=3, step=5, size=4)
    lr2, hr2 = sampler.batch(seed=3, step=5, size=4)
    assert torch.equal(lr1, lr2) and torch.equal(hr1, hr2)
    assert lr1.shape == (4, 3, 12, 12) and hr1.shape == (4, 3, 48, 48)
    # The LR patch is the bicubic downsampling of its HR patch, up to border effects.
    down = torch.nn.functional.avg_pool2d(hr1, 4)
    assert (down - lr1)[..., 2:-2, 2:-2].abs().mean() < 0.03


def test_a_few_steps_reduce_the_loss(tmp_path, photo_folder):
    config = tiny_config(tmp_path, photo_folder, iters=60, val_every=1000)
    trainer = Trainer(config)
    sampler = PatchSampler(load_pairs(photo_folder), config.lr_patch)
    lr, hr = sampler.batch(0, 0, 4)
    before = torch.nn.functional.l1_loss(trainer.g(lr), hr).item()
    trainer.run(log=lambda _: None)
    after = torch.nn.functional.l1_loss(trainer.g(lr), hr).item()
    assert after < before * 0.7


def test_mse_pixel_loss_is_what_the_step_minimises(tmp_path, photo_folder):
    config = tiny_config(tmp_path, photo_folder, iters=1, val_every=1000, pixel_loss="mse")
    trainer = Trainer(config)
    sampler = PatchSampler(load_pairs(photo_folder), config.lr_patch)
    lr, hr = sampler.batch(0, 0, 4)
    expected = torch.nn.functional.mse_loss(trainer.g(lr), hr).item()
    reported = trainer.psnr_step(lr, hr)
    assert list(reported) == ["mse"] and reported["mse"] == pytest.approx(expected, rel=1e-5)
    assert torch.nn.functional.mse_loss(trainer.g(lr), hr).item() < expected


def test_log_mse_loss_is_the_mean_log_of_each_patchs_error():
    hr = torch.zeros(2, 3, 4, 4)
    sr = hr.clone()
    sr[0] += 0.1  # MSE 0.01
    sr[1, :, :2] += 0.2  # half the pixels off by 0.2: MSE 0.02
    expected = (math.log(0.01 + 1e-3) + math.log(0.02 + 1e-3)) / 2
    assert log_mse_loss(sr, hr).item() == pytest.approx(expected, rel=1e-6)


def test_log_mse_loss_weighs_a_patch_by_its_own_error():
    """Plain MSE pulls hardest on the worst patch; the log pulls each patch in proportion to 1 / its error."""
    hr = torch.zeros(2, 1, 8, 8)
    sr = torch.stack([torch.full((1, 8, 8), 0.02), torch.full((1, 8, 8), 0.2)]).requires_grad_(True)
    log_mse_loss(sr, hr).backward()
    per_patch_pull = sr.grad.flatten(1).abs().sum(1)
    mse_pull = torch.tensor([0.02, 0.2])  # plain MSE's gradient, up to one constant
    ratio = per_patch_pull / mse_pull
    assert ratio[0] / ratio[1] == pytest.approx((0.2**2 + 1e-3) / (0.02**2 + 1e-3), rel=1e-4)


def test_the_log_mse_step_reports_and_lowers_its_loss(tmp_path, photo_folder):
    config = tiny_config(tmp_path, photo_folder, iters=1, val_every=1000, pixel_loss="logmse")
    trainer = Trainer(config)
    sampler = PatchSampler(load_pairs(photo_folder), config.lr_patch)
    lr, hr = sampler.batch(0, 0, 4)
    expected = log_mse_loss(trainer.g(lr), hr).item()
    reported = trainer.psnr_step(lr, hr)
    assert list(reported) == ["logmse"] and reported["logmse"] == pytest.approx(expected, rel=1e-5)
    assert log_mse_loss(trainer.g(lr), hr).item() < expected


def test_device_auto_takes_a_gpu_only_when_pytorch_sees_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert training_device("auto") == torch.device("cpu")
    with pytest.raises(SystemExit, match="sees no CUDA GPU"):
        training_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert training_device("auto") == torch.device("cuda")
    assert training_device("cuda:1") == torch.device("cuda", 1)


@pytest.mark.parametrize("stage", ["psnr", "gan"])
def test_a_run_named_on_the_cpu_is_the_run_auto_makes_here(tmp_path, photo_folder, stage):
    if torch.cuda.is_available():
        pytest.skip("auto takes the GPU on this machine")
    runs = [Trainer(tiny_config(tmp_path / name, photo_folder, stage=stage, device=name)) for name in ("cpu", "auto")]
    for trainer in runs:
        trainer.run(log=lambda _: None)
    assert runs[0].g.conv_last.weight.device.type == "cpu"
    for key, value in runs[0].g.state_dict().items():
        assert torch.equal(value, runs[1].g.state_dict()[key]), key


@pytest.mark.parametrize("stage", ["psnr", "gan"])
def test_resume_gives_the_same_weights(tmp_path, photo_folder, stage):
    straight = Trainer(tiny_config(tmp_path / "a", photo_folder, stage=stage))
    straight.run(log=lambda _: None)
    interrupted = Trainer(tiny_config(tmp_path / "b", photo_folder, stage=stage))
    interrupted.run(log=lambda _: None, until=3)  # as if killed right after the step-3 checkpoint
    resumed = Trainer(tiny_config(tmp_path / "b", photo_folder, stage=stage))
    lines = []
    resumed.run(log=lines.append)
    assert any("resumed" in line for line in lines)
    for key, value in straight.g.state_dict().items():
        assert torch.equal(value, resumed.g.state_dict()[key]), key


def test_resume_keeps_the_moving_average(tmp_path, photo_folder):
    straight = Trainer(tiny_config(tmp_path / "a", photo_folder, stage="gan", ema=0.9))
    straight.run(log=lambda _: None)
    Trainer(tiny_config(tmp_path / "b", photo_folder, stage="gan", ema=0.9)).run(log=lambda _: None, until=3)
    resumed = Trainer(tiny_config(tmp_path / "b", photo_folder, stage="gan", ema=0.9))
    resumed.run(log=lambda _: None)
    for key, value in straight.g_ema.state_dict().items():
        assert torch.equal(value, resumed.g_ema.state_dict()[key]), key
    best = torch.load(tmp_path / "b" / "run" / "best.pt", weights_only=False)["g"]
    for key, value in resumed.g_ema.state_dict().items():
        assert torch.equal(value, best[key]), key


def test_moving_average_follows_its_formula(tmp_path, photo_folder):
    trainer = Trainer(tiny_config(tmp_path, photo_folder, ema=0.75, iters=1))
    start = {k: v.clone() for k, v in trainer.g.state_dict().items()}
    trainer.run(log=lambda _: None)
    for key, value in trainer.g_ema.state_dict().items():
        expected = 0.75 * start[key] + 0.25 * trainer.g.state_dict()[key]
        assert torch.allclose(value, expected, atol=1e-7), key
    assert any(not torch.equal(start[k], trainer.g.state_dict()[k]) for k in start)


def test_learning_rate_schedule():
    config = Config(iters=100, warmup=10, lr=1e-3, min_lr=0)
    assert learning_rate(config, 0, 1e-3) == pytest.approx(1e-4)
    assert learning_rate(config, 10, 1e-3) == pytest.approx(1e-3)
    assert learning_rate(config, 100, 1e-3) == pytest.approx(0)


def test_export_round_trip(tmp_path, photo_folder):
    trainer = Trainer(tiny_config(tmp_path, photo_folder))
    trainer.run(log=lambda _: None)
    out = tmp_path / "model.safetensors"
    export(tmp_path / "run" / "last.pt", out)
    tensors, meta = read_safetensors(out)
    assert json.loads(meta["enhance.arch"])["nf"] == 8
    for key, value in trainer.g.state_dict().items():
        assert torch.equal(tensors[key], value)
    assert set(tensors) == set(trainer.g.state_dict())


def test_grown_export_computes_what_the_source_did(tmp_path):
    torch.manual_seed(0)
    small = RRDBNet(nf=8, nb=1, gc=4).eval()
    arch = {"arch": "RRDBNet", "scale": 4, "nf": 8, "nb": 1, "gc": 4, "inChannels": 3, "outChannels": 3}
    write_safetensors(small.state_dict(), tmp_path / "small.safetensors", {"enhance.arch": json.dumps(arch)})
    assert grow(tmp_path / "small.safetensors", tmp_path / "big.safetensors", 3, nf=12, gc=6) == {**arch, "nb": 3, "nf": 12, "gc": 6}
    tensors, meta = read_safetensors(tmp_path / "big.safetensors")
    assert json.loads(meta["enhance.arch"])["nf"] == 12
    assert "nb 1 → 3, nf 8 → 12, gc 4 → 6" in json.loads(meta["enhance.training"])["grown"]
    big = RRDBNet(nf=12, nb=3, gc=6).eval()
    big.load_state_dict(tensors)
    x = torch.rand(1, 3, 12, 12)
    with torch.no_grad():
        assert torch.allclose(big(x), small(x), atol=1e-5)


def test_a_partner_grown_with_the_faithful_ends_inner_weights_still_computes_its_own_function(tmp_path):
    torch.manual_seed(3)
    arch = {"arch": "RRDBNet", "scale": 4, "nf": 8, "nb": 1, "gc": 4, "inChannels": 3, "outChannels": 3}
    small = RRDBNet(nf=8, nb=1, gc=4).eval()
    faithful = RRDBNet(nf=8, nb=3, gc=4).eval()
    for p in [*small.parameters(), *faithful.parameters()]:
        p.data.normal_(0, 0.05)
    write_safetensors(small.state_dict(), tmp_path / "gan.safetensors", {"enhance.arch": json.dumps(arch)})
    write_safetensors(faithful.state_dict(), tmp_path / "psnr.safetensors", {"enhance.arch": json.dumps({**arch, "nb": 3})})
    grow(tmp_path / "gan.safetensors", tmp_path / "grown.safetensors", 3, inner_from=tmp_path / "psnr.safetensors")
    tensors, meta = read_safetensors(tmp_path / "grown.safetensors")
    assert "conv1–conv4 from psnr.safetensors" in json.loads(meta["enhance.training"])["grown"]
    for key, value in tensors.items():
        if key.startswith(("body.1.", "body.2.")):
            expected = torch.zeros_like(value) if ".conv5." in key else faithful.state_dict()[key]
            assert torch.equal(value, expected), key
        elif key.startswith("body.0."):
            assert torch.equal(value, small.state_dict()[key]), key
    grown = RRDBNet(nf=8, nb=3, gc=4).eval()
    grown.load_state_dict(tensors)
    x = torch.rand(1, 3, 12, 12)
    with torch.no_grad():
        assert torch.allclose(grown(x), small(x), atol=1e-5)
    with pytest.raises(ValueError):
        grow(tmp_path / "gan.safetensors", tmp_path / "wide.safetensors", 3, nf=12, inner_from=tmp_path / "psnr.safetensors")


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "dist").exists(), reason="the app is not built (npm ci)")
def test_exported_file_loads_in_the_app(tmp_path, photo_folder):
    trainer = Trainer(tiny_config(tmp_path, photo_folder))
    trainer.run(log=lambda _: None)
    out = tmp_path / "model.safetensors"
    export(tmp_path / "run" / "last.pt", out)
    info = json.loads(subprocess.run(["node", str(ROOT / "bin" / "enhance.js"), "inspect", str(out)], check=True, capture_output=True, text=True).stdout)
    assert info["layout"] == "basicsr" and info["nf"] == 8 and info["nb"] == 1 and info["scale"] == 4


def test_a_time_budget_shortens_the_schedule_to_what_fits(tmp_path, photo_folder):
    trainer = Trainer(tiny_config(tmp_path, photo_folder, iters=100_000, max_minutes=0.05, val_every=100_000))
    lines = []
    trainer.run(log=lines.append)
    budget = [line for line in lines if line.startswith("budget")]
    assert len(budget) == 1 and trainer.config.iters < 100_000
    assert trainer.step == trainer.config.iters  # ended where the shortened cosine ends
    assert learning_rate(trainer.config, trainer.step, trainer.config.lr) == pytest.approx(trainer.config.min_lr)


def test_a_pack_holds_the_asked_patches_and_the_validation_folders(tmp_path, photo_folder):
    from enhance_training.pack import pack

    val = tmp_path / "Set5"
    (val / "HR").mkdir(parents=True)
    (val / "HR" / "a.png").write_bytes(b"png")
    summary = pack(photo_folder, [val], tmp_path / "pack", patches=7, hr_patch=32, seed=3)
    crops = sorted((tmp_path / "pack" / "train").glob("*.jpg"))
    assert summary["patches"] == 7 and len(crops) == 7
    assert all(Image.open(c).size == (32, 32) for c in crops)
    assert (tmp_path / "pack" / "val" / "Set5" / "HR" / "a.png").read_bytes() == b"png"
    again = pack(photo_folder, [val], tmp_path / "pack2", patches=7, hr_patch=32, seed=3)
    assert [c.read_bytes() for c in crops] == [c.read_bytes() for c in sorted((tmp_path / "pack2" / "train").glob("*.jpg"))]
    assert again["bytes"] == summary["bytes"]
