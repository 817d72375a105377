import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

from enhance_training import kernels
from enhance_training.benchmark import CLASSES, bicubic_quarter, degrade_photo
from enhance_training.degradations import (
    Degrader,
    PhotoDegrader,
    PhotoRanges,
    blur,
    gaussian_noise,
    jpeg,
    poisson_noise,
    stack_kernels,
    to_uint8,
    usm_sharpen,
)
from enhance_training.export import export, load_generator_weights
from enhance_training.train import Trainer

from test_training import tiny_config


def smooth_image(h=48, w=64, seed=0) -> torch.Tensor:
    yy, xx = np.mgrid[0:h, 0:w] / 9.0
    rng = np.random.default_rng(seed)
    base = np.stack([np.sin(xx), np.cos(yy * 1.3), np.sin(xx + yy)]) * 0.35 + 0.5
    return torch.from_numpy(base + rng.normal(0, 0.02, base.shape)).float().clamp(0, 1)[None]


KERNEL_CASES = [
    ("gaussian iso", lambda: kernels.gaussian(9, 1.5, 1.5, 0.0), 9),
    ("gaussian aniso", lambda: kernels.gaussian(15, 3.0, 0.5, 0.7), 15),
    ("generalised", lambda: kernels.generalized_gaussian(11, 2.0, 1.0, 0.3, 0.6), 11),
    ("plateau", lambda: kernels.plateau(21, 1.5, 2.5, -1.0, 1.7), 21),
    ("sinc", lambda: kernels.sinc(13, math.pi / 4), 13),
]


@pytest.mark.parametrize("name,make,size", KERNEL_CASES, ids=[c[0] for c in KERNEL_CASES])
def test_each_kernel_sums_to_one_with_the_asked_shape(name, make, size):
    k = make()
    assert k.shape == (size, size)
    assert k.sum() == pytest.approx(1.0, abs=1e-12)
    # Centred: the peak is in the middle, and a 180° turn gives the same kernel (every family is point-symmetric).
    assert np.unravel_index(k.argmax(), k.shape) == (size // 2, size // 2)
    assert np.allclose(k, k[::-1, ::-1])


def test_isotropic_gaussian_has_the_asked_sigma():
    k = kernels.gaussian(41, 2.0, 2.0, 0.0)
    r = np.arange(41) - 20
    variance_x = (k.sum(0) * r**2).sum()
    assert variance_x == pytest.approx(4.0, rel=1e-6)


def test_anisotropic_gaussian_is_rotated_by_theta():
    k = kernels.gaussian(41, 4.0, 1.0, math.pi / 2)  # the long axis turned from x to y
    r = np.arange(41) - 20
    assert (k.sum(1) * r**2).sum() == pytest.approx(16.0, rel=1e-3)
    assert (k.sum(0) * r**2).sum() == pytest.approx(1.0, rel=1e-3)


def test_bessel_j1_matches_known_values():
    # Abramowitz & Stegun table 9.1.
    values = kernels.bessel_j1(np.array([0.0, 1.0, 2.0, 5.0, 10.0]))
    assert values == pytest.approx([0.0, 0.4400505857, 0.5767248078, -0.3275791376, 0.0434727462], abs=1e-9)


def test_sinc_kernel_passes_low_and_removes_high_frequencies():
    k = kernels.sinc(21, math.pi / 3)
    spectrum = np.abs(np.fft.fft2(k, s=(64, 64)))
    assert spectrum[0, 0] == pytest.approx(1.0)
    # Frequencies well above the cut-off π/3 (index 64/6 ≈ 10.7) are strongly attenuated.
    assert spectrum[24, 0] < 0.1 and spectrum[4, 0] > 0.9


def test_random_kernels_follow_the_ranges():
    rng = np.random.default_rng(0)
    ranges = kernels.BlurRanges()
    for _ in range(200):
        k = kernels.random_blur(rng, ranges)
        assert k.shape[0] in ranges.sizes and k.shape[0] == k.shape[1]
        assert k.sum() == pytest.approx(1.0, abs=1e-9)


def test_blur_with_a_delta_kernel_is_the_identity_and_each_image_gets_its_own_kernel():
    img = smooth_image().repeat(2, 1, 1, 1)
    delta = np.zeros((5, 5))
    delta[2, 2] = 1
    out = blur(img, stack_kernels([delta, kernels.gaussian(9, 2.0, 2.0, 0.0)]))
    assert torch.allclose(out[0], img[0], atol=1e-6)
    assert not torch.allclose(out[1], img[1], atol=1e-3)
    # A kernel's sum of 1 keeps the mean brightness (up to the reflected borders).
    assert out[1].mean().item() == pytest.approx(img[1].mean().item(), abs=2e-3)


def test_jpeg_is_the_real_encoder():
    img = smooth_image()
    out = jpeg(img, [40])
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(img)[0].permute(1, 2, 0).numpy()).save(buffer, format="JPEG", quality=40)
    expected = torch.from_numpy(np.array(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))).permute(2, 0, 1)
    assert torch.equal(to_uint8(out)[0], expected)
    error_at = lambda q: (jpeg(img, [q]) - img).abs().mean().item()
    assert error_at(30) > error_at(95) > 0


def test_gaussian_noise_has_the_asked_statistics():
    img = torch.full((2, 3, 256, 256), 0.5)
    gen = torch.Generator().manual_seed(1)
    out = gaussian_noise(img, torch.tensor([10 / 255, 20 / 255]), torch.tensor([False, True]), gen)
    noise = (out - img) * 255
    assert noise[0].std().item() == pytest.approx(10, rel=0.02)
    assert noise[1].std().item() == pytest.approx(20, rel=0.02)
    assert abs(noise.mean().item()) < 0.1
    # Grey noise is the same in all three channels; colour noise is not.
    assert torch.equal(noise[1, 0], noise[1, 2]) and not torch.equal(noise[0, 0], noise[0, 2])


def test_poisson_noise_variance_follows_the_intensity():
    ramp = torch.arange(256).float().div(255).repeat(3, 64, 1)[None]  # 256 distinct levels
    gen = torch.Generator().manual_seed(2)
    scale = 2.0
    noise = poisson_noise(ramp, torch.tensor([scale]), torch.tensor([False]), gen) - ramp
    bright, dark = noise[..., 200:], noise[..., 20:60]
    expected = lambda v: scale**2 * v / 256  # Var(Poisson(λ))/L² with λ = v·L
    assert bright.var().item() == pytest.approx(expected(ramp[..., 200:].mean().item()), rel=0.1)
    assert dark.var().item() == pytest.approx(expected(ramp[..., 20:60].mean().item()), rel=0.1)
    assert abs(noise.mean().item()) < 2e-3


def test_the_same_seed_gives_the_same_batch():
    hr = smooth_image(128, 128).repeat(4, 1, 1, 1)
    degrade = Degrader()
    a = degrade(hr, np.random.default_rng([0, 5]))
    b = degrade(hr, np.random.default_rng([0, 5]))
    c = degrade(hr, np.random.default_rng([0, 6]))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.shape == (4, 3, 32, 32)
    # Quantised to 8-bit levels, like a decoded file.
    assert torch.equal(a, to_uint8(a).float() / 255)


def test_degraded_batches_vary_and_stay_close_to_the_photo_on_average():
    hr = smooth_image(128, 128).repeat(8, 1, 1, 1)
    lr = Degrader()(hr, np.random.default_rng(3))
    reference = bicubic_quarter(hr[:1])
    errors = (lr - reference).abs().mean(dim=(1, 2, 3))
    assert errors.std() > 1e-3  # every image drew its own degradation
    assert errors.max() < 0.25  # still the same picture


def test_unsharp_mask_sharpens_edges_and_leaves_flat_areas():
    flat = torch.full((1, 3, 64, 64), 0.4)
    assert torch.allclose(usm_sharpen(flat), flat)
    edge = flat.clone()
    edge[..., 32:] = 0.6
    sharp = usm_sharpen(edge)
    assert sharp[0, 0, 32, 33].item() > 0.6 and sharp[0, 0, 32, 30].item() < 0.4  # overshoot on both sides


def test_benchmark_classes_are_seeded_and_web_jpeg_is_bicubic_then_jpeg():
    hr = smooth_image(96, 128)
    for cls in CLASSES:
        a = degrade_photo(hr, cls, [0, 1])
        assert torch.equal(a, degrade_photo(hr, cls, [0, 1])), cls
        assert a.shape == (1, 3, 24, 32)
    assert torch.equal(degrade_photo(hr, "web_jpeg", [0, 1]), jpeg(bicubic_quarter(hr), [55]))


def test_real_world_batches_are_deterministic_and_mix_in_clean_ones(tmp_path, photo_folder):
    config = tiny_config(tmp_path, photo_folder, degradation="realworld", clean_fraction=0.5, batch=8)
    trainer = Trainer(config)
    from enhance_training.data import PatchSampler, load_pairs

    trainer.sampler = PatchSampler(load_pairs(photo_folder), config.lr_patch)
    lr1, hr1 = trainer.training_batch()
    lr2, hr2 = trainer.training_batch()
    assert torch.equal(lr1, lr2) and torch.equal(hr1, hr2)
    clean, _ = trainer.sampler.batch(config.seed, 0, config.batch)
    same = [(lr1[i] - clean[i]).abs().max().item() < 1e-7 for i in range(config.batch)]
    assert 0 < sum(same) < config.batch


def test_real_world_batches_mix_in_single_pass_photos(tmp_path, photo_folder):
    from enhance_training.data import PatchSampler, load_pairs

    def batch(**mix):
        config = tiny_config(tmp_path, photo_folder, degradation="realworld", batch=8, **mix)
        trainer = Trainer(config)
        trainer.sampler = PatchSampler(load_pairs(photo_folder), config.lr_patch)
        return trainer.training_batch()[0]

    second_order, single_pass, mixed = batch(), batch(photo_fraction=1.0), batch(photo_fraction=0.5)
    from_single = [torch.equal(mixed[i], single_pass[i]) for i in range(8)]
    from_second = [torch.equal(mixed[i], second_order[i]) for i in range(8)]
    assert 0 < sum(from_single) < 8 and all(a != b for a, b in zip(from_single, from_second))


def test_the_single_pass_is_an_antialiased_quarter_when_nothing_else_is_drawn():
    hr = smooth_image(64, 96)
    bare = PhotoRanges(blur_probability=0, noise_probability=0, jpeg_probability=0)
    lr = PhotoDegrader(bare)(hr, np.random.default_rng(3))
    assert lr.shape == (1, 3, 16, 24)
    # Whichever filter was drawn, an antialiased ×1/4 of a smooth image is close to MATLAB's, far from a point sample.
    assert (lr - bicubic_quarter(hr)).abs().mean().item() < 0.01
    assert (lr - hr[..., 1::4, 1::4]).abs().mean().item() > 2 * (lr - bicubic_quarter(hr)).abs().mean().item()


def test_the_single_pass_draws_per_photo_and_is_seeded():
    hr = smooth_image(64, 64).repeat(8, 1, 1, 1)
    lr = PhotoDegrader()(hr, np.random.default_rng(5))
    assert torch.equal(lr, PhotoDegrader()(hr, np.random.default_rng(5)))
    errors = (lr - bicubic_quarter(hr)).abs().mean(dim=(1, 2, 3))
    assert errors.std() > 1e-3  # the same photo, eight different degradations
    assert torch.equal(lr, to_uint8(lr).float() / 255)  # quantised like a decoded file


def test_the_single_pass_noise_and_jpeg_are_as_asked():
    flat = torch.full((4, 3, 128, 128), 0.5)
    noisy = PhotoRanges(blur_probability=0, noise_probability=1, noise_sigma=(8, 8), grey_noise_probability=0, jpeg_probability=0)
    lr = PhotoDegrader(noisy)(flat, np.random.default_rng(0))
    assert lr.std().item() * 255 == pytest.approx(8, rel=0.08)
    saved = PhotoRanges(blur_probability=0, noise_probability=0, jpeg_probability=1, jpeg_quality=(40, 40))
    hr = smooth_image(128, 128)
    expected = jpeg(PhotoDegrader(PhotoRanges(blur_probability=0, noise_probability=0, jpeg_probability=0))(hr, np.random.default_rng(1)), [40])
    assert torch.equal(PhotoDegrader(saved)(hr, np.random.default_rng(1)), expected)


def test_a_run_warm_starts_from_an_exported_safetensors(tmp_path, photo_folder):
    first = Trainer(tiny_config(tmp_path / "a", photo_folder))
    first.run(log=lambda _: None)
    exported = tmp_path / "g.safetensors"
    export(tmp_path / "a" / "run" / "last.pt", exported)
    second = Trainer(tiny_config(tmp_path / "b", photo_folder, init=str(exported)))
    for key, value in first.g.state_dict().items():
        assert torch.equal(second.g.state_dict()[key], value), key
    assert set(load_generator_weights(exported)) == set(first.g.state_dict())


def test_colour_loss_sees_casts_and_ignores_fine_texture():
    from enhance_training.losses import colour_loss

    hr = smooth_image(64, 64)
    checker = ((torch.arange(64)[:, None] + torch.arange(64)[None, :]) % 2).float() * 0.2 - 0.1
    textured = hr + checker  # zero mean over every 16×16 block
    cast = hr.clone()
    cast[:, 0] += 6 / 255
    assert colour_loss(textured, hr).item() < 1e-6
    assert colour_loss(cast, hr).item() == pytest.approx(6 / 255 / 3, rel=1e-4)


def test_the_card_grid_shows_the_chart_and_its_degradations(tmp_path):
    from enhance_training.benchmark import degraded_samples, test_chart

    out = tmp_path / "grid.png"
    degraded_samples(out, count=8)
    grid = np.array(Image.open(out))
    assert grid.shape == (384, 384, 3)
    chart = (test_chart()[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    assert np.abs(grid[:128, :128].astype(int) - chart).max() <= 1  # the chart itself, top left
    assert np.abs(grid[:128, 128:256].astype(int) - chart).mean() > 5  # a degraded copy beside it


def test_chroma_loss_sees_coloured_fringes_and_ignores_grey_texture():
    from enhance_training.losses import chroma_loss
    torch.manual_seed(0)
    hr = torch.rand(1, 3, 16, 16)
    grey_texture = hr + 0.1 * torch.rand(1, 1, 16, 16)  # the same change in R, G and B: luma only
    assert chroma_loss(grey_texture, hr).item() < 1e-7
    fringe = hr.clone()
    fringe[:, 1, :, 8] += 0.2  # a green line one pixel wide
    # Cb moves by -0.331264·0.2 and Cr by -0.418688·0.2 on 16 of the 256 pixels of each plane.
    expected = (0.331264 + 0.418688) * 0.2 * 16 / 256 / 2
    assert chroma_loss(fringe, hr).item() == pytest.approx(expected, rel=1e-5)
