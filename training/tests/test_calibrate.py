import json
import shutil

import numpy as np
import torch

from enhance_training.arch import RRDBNet
from enhance_training.calibrate import ALPHAS, CALIBRATION_FOLDERS, WEIGHTS, best_offset, calibrate, write_recorded
from enhance_training.export import read_safetensors, write_safetensors

ARCH = {"arch": "RRDBNet", "scale": 4, "nf": 8, "nb": 1, "gc": 4, "inChannels": 3, "outChannels": 3}


def test_best_offset_cancels_a_cast_that_grows_with_alpha():
    cast = np.array([6.0, -1.5, 0.25])
    delta = best_offset({a: a * cast for a in ALPHAS})
    assert np.allclose(delta, -cast, atol=0.005)


def test_a_weight_pulls_the_offset_towards_its_position():
    shifts = {0.5: np.array([2.0, 0, 0]), 1.0: np.array([6.0, 0, 0])}
    # Equal weights balance 2 + 0.5δ = −(6 + δ): δ = −16/3; the end counted double, 2 + 0.5δ = −2(6 + δ): δ = −5.6.
    assert abs(best_offset(shifts)[0] - -16 / 3) < 0.01
    assert abs(best_offset(shifts, {0.5: 1.0, 1.0: 2.0})[0] - -5.6) < 0.01


def test_best_offset_balances_the_worst_slider_position():
    # Shifts that are not proportional to α: the best δ leaves equal and opposite errors at two positions.
    shifts = {0.5: np.array([2.0, 0, 0]), 1.0: np.array([2.0, 0, 0])}
    delta = best_offset(shifts)
    worst = max(abs(shifts[a][0] + a * delta[0]) for a in shifts)
    assert abs(delta[0] - -8 / 3) < 0.01 and abs(worst - 2 / 3) < 0.01


def test_calibration_moves_only_the_last_bias_and_shifts_every_slider_position_by_alpha_delta(tmp_path, photo_folder):
    # Networks whose output is their last bias alone: unclamped, so the bias's effect is exact.
    psnr = {k: torch.zeros_like(v) for k, v in RRDBNet(nf=8, nb=1, gc=4).state_dict().items()}
    psnr["conv_last.bias"] = torch.full((3,), 0.5)
    gan = dict(psnr)
    gan["conv_last.bias"] = psnr["conv_last.bias"] + torch.tensor([0.03, -0.02, 0.0])  # +7.65 / −5.1 levels
    gan["conv_first.weight"] = torch.full_like(psnr["conv_first.weight"], 0.01)  # not only the bias differs
    meta = {"enhance.arch": json.dumps(ARCH)}
    write_safetensors(psnr, tmp_path / "psnr.safetensors", meta)
    write_safetensors(gan, tmp_path / "gan.safetensors", meta)
    data = tmp_path / "train"
    for name in CALIBRATION_FOLDERS:
        shutil.copytree(photo_folder, data / name)
    summary = calibrate(tmp_path / "psnr.safetensors", tmp_path / "gan.safetensors", tmp_path / "out.safetensors", data, crop=24)
    out, out_meta = read_safetensors(tmp_path / "out.safetensors")
    for key in gan:
        if key != "conv_last.bias":
            assert torch.equal(out[key], gan[key])
    delta = np.array(summary["offset_levels"])
    assert np.allclose((out["conv_last.bias"] - gan["conv_last.bias"]).numpy() * 255, delta, atol=1e-3)
    before = {float(a): np.array(v) for a, v in summary["shift_before"].items()}
    assert np.allclose(delta, best_offset(before, WEIGHTS), atol=1e-3)
    for a in ALPHAS:
        assert np.allclose(summary["shift_after"][str(a)], before[a] + a * delta, atol=0.01)
    # The cast grew with α (+7.65 red from α = 0 to 1); the worst position is never worse than before.
    assert abs(before[1.0][0] - before[0.25][0] - 0.75 * 7.65) < 0.05
    worst = lambda shifts: max(abs(v) for values in shifts.values() for v in values)
    assert worst(summary["shift_after"]) <= worst(summary["shift_before"])
    assert json.loads(out_meta["enhance.training"])["colour_calibration"]["photos"] == 12


def test_a_second_pass_of_the_same_kind_is_appended_to_the_record_not_written_over_it(tmp_path):
    weights = RRDBNet(nf=8, nb=1, gc=4).state_dict()
    first, second = tmp_path / "first.safetensors", tmp_path / "second.safetensors"
    base = {"enhance.arch": json.dumps(ARCH), "enhance.training": json.dumps({"step": 500})}
    write_recorded(weights, first, base, "colour_tune", {"steps": 400, "chroma_weight": 1.0})
    write_recorded(weights, second, read_safetensors(first)[1], "colour_tune", {"steps": 200, "chroma_weight": 3.0})
    write_recorded(weights, second, read_safetensors(second)[1], "colour_tune", {"steps": 100, "chroma_weight": 0.5})
    training = json.loads(read_safetensors(second)[1]["enhance.training"])
    assert training["step"] == 500
    assert [t["chroma_weight"] for t in training["colour_tune"]] == [1.0, 3.0, 0.5]
    assert json.loads(read_safetensors(first)[1]["enhance.training"])["colour_tune"] == {"steps": 400, "chroma_weight": 1.0}
