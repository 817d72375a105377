#!/usr/bin/env python3
"""PyTorch side of the throughput benchmark: the same weights and tile shape, the same thread count.
Prints one JSON object: {"lrPixelsPerSecond": ..., "msPerTile": ...}."""

import json
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from enhance_training.arch import RRDBNet  # noqa: E402


def read_safetensors(path: str) -> tuple[dict, dict]:
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {k: torch.from_numpy(np.frombuffer(data[a:b], dtype=np.float32).reshape(e["shape"]).copy()) for k, e in header.items() for a, b in [e["data_offsets"]]}
    return tensors, meta


def main() -> None:
    path, side, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    tensors, meta = read_safetensors(path)
    arch = json.loads(meta["enhance.arch"])
    net = RRDBNet(nf=arch["nf"], nb=arch["nb"], gc=arch["gc"]).eval()
    net.load_state_dict(tensors)
    x = torch.rand(1, 3, side, side)
    with torch.inference_mode():
        net(x)  # warm-up
        start = time.perf_counter()
        for _ in range(runs):
            net(x)
        seconds = (time.perf_counter() - start) / runs
    print(json.dumps({"lrPixelsPerSecond": side * side / seconds, "msPerTile": seconds * 1000, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
