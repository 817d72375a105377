import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture()
def photo_folder(tmp_path: Path) -> Path:
    """A few smooth synthetic 'photos' so data loading and training run in seconds without ../shared."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(4):
        yy, xx = np.mgrid[0:160, 0:200] / 40.0
        base = np.stack([np.sin(xx * (i + 1)), np.cos(yy * (i + 2)), np.sin(xx + yy)], -1)
        img = ((base * 0.4 + 0.5 + rng.normal(0, 0.03, base.shape)).clip(0, 1) * 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"p{i}.png")
    return folder
