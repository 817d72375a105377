"""How outputs fare by distance from the photo's edge (the model card's "The edge hold"). The benchmark's PSNR
shaves 4 pixels, so it never sees the outermost rows, where the network reads zeros past the edge.

  PYTHONPATH=training /usr/bin/python3 training/probes/edge_band.py bench/out/realworld/web_jpeg <outputs>...

For each folder of outputs (PNG, named as the class's HR photos), and bicubic from the class's LR_x4: the median
photo's signed error (all channels, all four edges pooled) in each of the 6 outermost rows, the pooled RMSE there,
and on how many photos the outer 4 rows' MSE is worse than the first folder's.
"""

import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from enhance_training.imresize import imresize

ROWS = 6


def read(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float64)


def by_distance(sr: np.ndarray, hr: np.ndarray) -> np.ndarray:
    """(mean signed error, MSE) in each of the outermost `ROWS` rows, all four edges pooled."""
    h, w, _ = hr.shape
    yy, xx = np.mgrid[:h, :w]
    distance = np.minimum(np.minimum(yy, h - 1 - yy), np.minimum(xx, w - 1 - xx))
    error = sr - hr
    return np.array([(error[distance == d].mean(), (error[distance == d] ** 2).mean()) for d in range(ROWS)])


def main() -> None:
    root, outputs = Path(sys.argv[1]), [Path(o) for o in sys.argv[2:]]
    names = [f.name for f in sorted((root / "HR").iterdir()) if all((o / f.name).exists() for o in outputs)]
    found: dict[str, list[np.ndarray]] = {"bicubic": [], **{str(o): [] for o in outputs}}
    for name in names:
        lr = torch.from_numpy(read(root / "LR_x4" / name)).permute(2, 0, 1)
        bicubic = np.clip(np.round(imresize(lr, 4).permute(1, 2, 0).numpy()), 0, 255)
        hr = read(root / "HR" / name)[: bicubic.shape[0], : bicubic.shape[1]]
        found["bicubic"].append(by_distance(bicubic, hr))
        for o in outputs:
            found[str(o)].append(by_distance(read(o / name), hr))
    first = np.array(found[str(outputs[0])])[:, :4, 1].mean(1)
    print(f"{len(names)} photos: median signed error, rows 0..{ROWS - 1} | pooled RMSE | outer 4 rows worse than the first on")
    for label, rows in found.items():
        r = np.array(rows)
        median = " ".join(f"{v:+5.2f}" for v in np.median(r[:, :, 0], 0))
        rmse = " ".join(f"{v:5.2f}" for v in np.sqrt(r[:, :, 1].mean(0)))
        worse = int((r[:, :4, 1].mean(1) > first + 1e-9).sum())
        print(f"{Path(label).name:28s} {median} | {rmse} | {worse}")


if __name__ == "__main__":
    main()
