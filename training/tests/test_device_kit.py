"""The GPU kit (`scripts/device-train.sh`) end to end, on the CPU with tiny budgets: a lent GPU's minutes are too
scarce to find a broken script there."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from enhance_training.arch import RRDBNet
from enhance_training.export import read_safetensors, write_safetensors
from enhance_training.pack import pack

ROOT = Path(__file__).resolve().parents[2]


def _validation_set(root: Path) -> Path:
    rng = np.random.default_rng(1)
    for sub in ("HR", "LR_x4"):
        (root / sub).mkdir(parents=True)
    for i in range(2):
        hr = Image.fromarray((rng.random((32, 32, 3)) * 255).astype(np.uint8))
        hr.save(root / "HR" / f"v{i}.png")
        hr.resize((8, 8), Image.BICUBIC).save(root / "LR_x4" / f"v{i}.png")
    return root


def _changed(after: dict, before: dict) -> bool:
    return any(not (after[k] == before[k]).all() for k in after)


def test_the_gpu_kit_trains_both_ends_and_exports_a_pair(tmp_path, photo_folder):
    pack(photo_folder, [_validation_set(tmp_path / "web_jpeg")], tmp_path / "pack", patches=12, hr_patch=64, seed=5)
    init = tmp_path / "init.safetensors"
    write_safetensors(RRDBNet(nf=8, nb=1, gc=4).state_dict(), init, {})
    out = tmp_path / "out"
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "OUT": str(out),
        "PACK": str(tmp_path / "pack"),
        "INIT": str(init),
        "DEVICE": "cpu",
        "BF16": "false",
        "THREADS": "1",
        "NF": "8",
        "NB": "1",
        "GC": "4",
        "PATCH": "16",
        "BATCH": "2",
        "GAN_BATCH": "2",
        "PSNR_MINUTES": "0.05",
        "MSE_MINUTES": "0.05",
        "GAN_MINUTES": "0.05",
    }
    run = subprocess.run(["bash", "scripts/device-train.sh"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    start, _ = read_safetensors(init)
    exports = {}
    for name in ("psnr-device-l1", "psnr-device", "gan-device"):
        exports[name], _ = read_safetensors(out / f"enhance-real-{name}-x4.safetensors")
    # One architecture throughout, so the two ends blend on the slider; each stage changed the weights.
    for tensors in exports.values():
        assert {k: v.shape for k, v in tensors.items()} == {k: v.shape for k, v in start.items()}
    assert _changed(exports["psnr-device-l1"], start)
    assert _changed(exports["psnr-device"], exports["psnr-device-l1"])
    assert _changed(exports["gan-device"], exports["psnr-device"])
    for log in ("train-psnr.log", "train-mse.log", "train-gan.log", "history-psnr.json", "history-gan.json"):
        assert (out / log).stat().st_size > 0
