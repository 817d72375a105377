import json

import numpy as np
import torch
from PIL import Image

from enhance_training.arch import RRDBNet
from enhance_training.benchmark import CLASSES
from enhance_training.crops import GAP, LABEL_HEIGHT, Pair, bicubic_up, grid, side_by_side, textured_window
from enhance_training.export import write_safetensors

ARCH = {"arch": "RRDBNet", "scale": 4, "nf": 8, "nb": 1, "gc": 4, "inChannels": 3, "outChannels": 3}


def test_the_window_is_the_square_with_the_most_structure_at_the_lrs_scale():
    hr = np.full((96, 96, 3), 128, np.uint8)
    yy, xx = np.mgrid[0:16, 0:16]
    hr[40:56, 24:40] = (((yy // 4 + xx // 4) % 2) * 200 + 20)[..., None]  # 4-px squares: one LR pixel each
    hr[0:16, 64:80] = (((yy + xx) % 2) * 200 + 20)[..., None]  # 1-px stripes: averaged away at the LR's scale
    assert textured_window(hr, 16) == (40, 24)


def test_the_sheet_puts_each_tile_under_its_header_and_its_rows_caption():
    colours = [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (9, 9, 9)]]
    rows = [(f"row {r}", [np.full((8, 8, 3), c, np.uint8) for c in row]) for r, row in enumerate(colours)]
    sheet = np.array(grid(rows, ["a", "b"]))
    assert sheet.shape == (LABEL_HEIGHT + 2 * (LABEL_HEIGHT + 8 + GAP), 2 * 8 + GAP, 3)
    for r, row in enumerate(colours):
        top = LABEL_HEIGHT + r * (LABEL_HEIGHT + 8 + GAP) + LABEL_HEIGHT
        for c, colour in enumerate(row):
            assert (sheet[top : top + 8, c * (8 + GAP) : c * (8 + GAP) + 8] == colour).all()
    assert (sheet[:LABEL_HEIGHT] < 128).any()  # the headers are drawn


def tiny_model(path, seed):
    torch.manual_seed(seed)
    state = RRDBNet(nf=8, nb=1, gc=4).state_dict()
    state = {k: v + 0.05 * torch.randn_like(v) for k, v in state.items()}
    write_safetensors(state, path, {"enhance.arch": json.dumps(ARCH)})
    return state


def run(state, lr):
    net = RRDBNet(nf=8, nb=1, gc=4)
    net.load_state_dict(state)
    with torch.no_grad():
        out = net.eval()(torch.from_numpy(lr).permute(2, 0, 1)[None].float() / 255).clamp(0, 1)
    return np.floor(out[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


def test_each_column_is_what_its_model_computes_on_the_benchmark_photo(tmp_path):
    rng = np.random.default_rng(1)
    for cls in CLASSES:
        for folder, side in (("HR", 32), ("LR_x4", 8)):
            (tmp_path / cls / folder).mkdir(parents=True)
            Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(tmp_path / cls / folder / "p.png")
    states = {name: tiny_model(tmp_path / f"{name}.safetensors", i) for i, name in enumerate(("cp", "cg", "rp", "rg"))}
    clean, real = (Pair(tmp_path / f"{k}p.safetensors", tmp_path / f"{k}g.safetensors") for k in ("c", "r"))
    rows = side_by_side(tmp_path, "p.png", clean, real, tmp_path / "sheet.png", side=16)

    lr = np.array(Image.open(tmp_path / "second_order" / "LR_x4" / "p.png"))
    hr = np.array(Image.open(tmp_path / "second_order" / "HR" / "p.png"))
    top, left = textured_window(hr, 16)
    crop = lambda img: img[top : top + 16, left : left + 16]
    tiles = rows[len(CLASSES) - 1]
    assert len(tiles) == 6
    assert np.array_equal(tiles[0], crop(bicubic_up(lr)))
    assert np.array_equal(tiles[2], crop(run(states["rp"], lr)))  # α 0: the faithful model alone
    assert np.array_equal(tiles[4], crop(run(states["rg"], lr)))  # α 1: the realistic model alone
    mid = {k: (states["rp"][k] + states["rg"][k]) / 2 for k in states["rp"]}
    assert np.array_equal(tiles[3], crop(run(mid, lr)))
    assert np.array_equal(tiles[5], crop(hr))
    assert not np.array_equal(tiles[2], tiles[4])
    sheet = np.array(Image.open(tmp_path / "sheet.png"))
    first = LABEL_HEIGHT + LABEL_HEIGHT
    assert np.array_equal(sheet[first : first + 16, :16], rows[0][0])
