"""LDL's artefact term: the map on known inputs, and the GAN step that uses it."""

import pytest
import torch

from enhance_training.losses import artifact_loss, artifact_map, local_variance
from enhance_training.train import Trainer

from test_training import tiny_config


def window_variance_by_hand(x: torch.Tensor, window: int) -> torch.Tensor:
    pad = window // 2
    padded = torch.nn.functional.pad(x, [pad] * 4, mode="reflect")
    patches = padded.unfold(2, window, 1).unfold(3, window, 1)  # B×C×H×W×k×k
    return patches.flatten(-2).var(-1, unbiased=True)


def test_local_variance_is_each_windows_unbiased_variance():
    x = torch.rand(2, 1, 9, 11, dtype=torch.float64)
    assert torch.allclose(local_variance(x, 3), window_variance_by_hand(x, 3), atol=1e-12)
    assert torch.allclose(local_variance(x, 7), window_variance_by_hand(x, 7), atol=1e-12)
    assert torch.equal(local_variance(torch.full((1, 1, 8, 8), 0.3), 7), torch.zeros(1, 1, 8, 8))


def test_the_map_weighs_erratic_residuals_where_the_stable_output_is_closer():
    torch.manual_seed(0)
    hr = torch.rand(1, 3, 16, 16, dtype=torch.float64)
    sr = hr + 0.2 * torch.randn_like(hr)  # erratic everywhere
    stable = hr.clone()
    stable[..., :, 8:] = hr[..., :, 8:] + 1.0  # right half: the stable output is far from HR, G closer
    weight = artifact_map(sr, stable, hr, window=3)
    residual = (hr - sr).abs().sum(1, keepdim=True)
    expected = residual.var() ** 0.2 * window_variance_by_hand(residual, 3)
    assert torch.allclose(weight[..., :8], expected[..., :8], atol=1e-12)  # G further than the average: weighed
    assert torch.equal(weight[..., 8:], torch.zeros_like(weight[..., 8:]))  # G closer: left alone
    assert weight[..., :8].min() > 0


def test_the_loss_is_the_weighted_l1_and_pulls_only_through_the_output():
    torch.manual_seed(1)
    hr = torch.rand(2, 3, 12, 12)
    sr = (hr + 0.1 * torch.randn_like(hr)).requires_grad_(True)
    stable = hr + 0.01
    weight = artifact_map(sr.detach(), stable, hr)
    loss = artifact_loss(sr, stable, hr)
    assert abs(loss.item() - (weight * (sr - hr)).abs().mean().item()) < 1e-7
    loss.backward()
    assert torch.allclose(sr.grad, weight * torch.sign(sr - hr) / sr.numel(), atol=1e-9)
    assert artifact_loss(hr.clone(), stable, hr).item() == 0


def test_a_gan_step_adds_the_term_against_the_moving_average(tmp_path, photo_folder):
    config = tiny_config(tmp_path, photo_folder, stage="gan", artifact_weight=1.0, ema=0.9, channels_last=False)
    trainer = Trainer(config)
    with torch.no_grad():
        for p in trainer.g.parameters():
            p.add_(0.01 * torch.randn_like(p))  # G leaves the average it started at
    torch.manual_seed(0)
    lr = torch.rand(2, 3, 12, 12)
    with torch.no_grad():
        hr = trainer.g_ema(lr) + 0.02 * torch.rand(2, 3, 48, 48)  # the average is nearly exact; G is not
        expected = artifact_loss(trainer.g(lr), trainer.g_ema(lr), hr).item()
    assert expected > 0
    assert trainer.gan_step(lr, hr)["artifacts"] == pytest.approx(expected, rel=1e-5)


def test_the_term_needs_a_moving_average(tmp_path, photo_folder):
    with pytest.raises(ValueError, match="--ema"):
        Trainer(tiny_config(tmp_path, photo_folder, stage="gan", artifact_weight=1.0))


def test_a_gan_run_can_start_from_another_runs_discriminator(tmp_path, photo_folder):
    first = Trainer(tiny_config(tmp_path / "a", photo_folder, stage="gan", iters=3))
    first.run(log=lambda _: None)
    second = Trainer(tiny_config(tmp_path / "b", photo_folder, stage="gan", init_d=str(tmp_path / "a" / "run" / "last.pt")))
    fresh = Trainer(tiny_config(tmp_path / "c", photo_folder, stage="gan"))
    for (name, a), b, c in zip(first.d.state_dict().items(), second.d.state_dict().values(), fresh.d.state_dict().values()):
        assert torch.equal(a, b), name
    assert any(not torch.equal(a, c) for a, c in zip(first.d.state_dict().values(), fresh.d.state_dict().values()))
