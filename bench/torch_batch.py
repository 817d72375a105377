#!/usr/bin/env python3
"""PyTorch side of the batch benchmark: the photos enhanced by the same blended weights, float32, the
same thread count and context (none past the photo's edge), in tiles split evenly as `enhance` plans
them. PyTorch gets its own fastest tile side and memory layout, chosen once on one of the photos (`choose`: its speed per pixel
falls steeply with the tile on this machine, unlike ONNX Runtime's), so the baseline is the strongest it
can be. `run` times inference alone: loading, blending, decoding and the output are left out.

    torch_batch.py choose <psnr.safetensors> <gan.safetensors> <alpha> <pad> <threads> <photo> <side>...
        → {"tile": ..., "layout": "nchw" | "channels-last"}
    torch_batch.py run <psnr.safetensors> <gan.safetensors> <alpha> <pad> <threads> <tile> <layout> <photo>...
        → {"seconds": ..., "tiles": ..., "torch": ...}"""

import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from enhance_training.arch import RRDBNet  # noqa: E402
from torch_throughput import read_safetensors  # noqa: E402


def axis_span(length: int, tile: int) -> tuple[int, list[int]]:
    count = max(1, math.ceil(length / tile))
    size = math.ceil(length / count)
    return size, [min(i * size, length - size) for i in range(count)]


FORMATS = {"nchw": torch.contiguous_format, "channels-last": torch.channels_last}


def blended(psnr: str, gan: str, alpha: float) -> RRDBNet:
    a, meta = read_safetensors(psnr)
    b, _ = read_safetensors(gan)
    arch = json.loads(meta["enhance.arch"])
    net = RRDBNet(nf=arch["nf"], nb=arch["nb"], gc=arch["gc"]).eval()
    net.load_state_dict({k: (1 - alpha) * a[k] + alpha * b[k] for k in a})
    return net


def choose(net: RRDBNet, pad: int, sides: list[int], photo: str) -> dict:
    """The tile side and layout that enhance one of the photos fastest (the better of two runs each)."""
    seconds = {
        (side, layout): min(run(net, pad, side, layout, [photo])["seconds"] for _ in range(2))
        for side in sides
        for layout in FORMATS
    }
    side, layout = min(seconds, key=seconds.get)
    return {"tile": side, "layout": layout}


def run(net: RRDBNet, pad: int, tile: int, layout: str, photos: list[str]) -> dict:
    fmt = FORMATS[layout]
    net.to(memory_format=fmt)
    net(torch.rand(1, 3, tile + 2 * pad, tile + 2 * pad).contiguous(memory_format=fmt))  # warm, as enhance's session is
    seconds, tiles = 0.0, 0
    for photo in photos:
        img = torch.from_numpy(np.asarray(Image.open(photo).convert("RGB"), dtype=np.float32) / 255)
        img = img.permute(2, 0, 1)[None]
        h, w = img.shape[2:]
        out = torch.empty(1, 3, h * 4, w * 4)
        tw, xs = axis_span(w, tile)
        th, ys = axis_span(h, tile)
        for y in ys:
            for x in xs:
                # enhance's tileWindow: up to `pad` pixels of real context, none past the photo's edge
                x0, y0 = max(0, x - pad), max(0, y - pad)
                x1, y1 = min(w, x + tw + pad), min(h, y + th + pad)
                crop = img[:, :, y0:y1, x0:x1].contiguous(memory_format=fmt)
                start = time.perf_counter()
                sr = net(crop)
                seconds += time.perf_counter() - start
                oy, ox = 4 * (y - y0), 4 * (x - x0)
                out[:, :, 4 * y : 4 * (y + th), 4 * x : 4 * (x + tw)] = sr[:, :, oy : oy + 4 * th, ox : ox + 4 * tw]
                tiles += 1
    return {"seconds": seconds, "tiles": tiles, "torch": torch.__version__}


def main() -> None:
    command, psnr, gan, alpha, pad, threads = sys.argv[1:4] + [float(sys.argv[4])] + [int(v) for v in sys.argv[5:7]]
    torch.set_num_threads(threads)
    net = blended(psnr, gan, alpha)
    with torch.inference_mode():
        if command == "choose":
            result = choose(net, pad, [int(v) for v in sys.argv[8:]], sys.argv[7])
        else:
            result = run(net, pad, int(sys.argv[7]), sys.argv[8], sys.argv[9:])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
