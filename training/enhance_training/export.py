"""Writes a generator checkpoint as .safetensors in the BasicSR key layout, with metadata."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import torch

from .arch import RRDBNet


def write_safetensors(tensors: dict[str, torch.Tensor], path: Path, metadata: dict[str, str]) -> None:
    header: dict = {}
    blobs, offset = [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path.with_suffix(".partial")
    tmp.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    tmp.replace(path)


def export(checkpoint: Path, out: Path, summary: dict | None = None) -> dict:
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    args = state["model_args"]
    model = RRDBNet(**args)
    model.load_state_dict(state["g"])
    arch = {
        "arch": "RRDBNet",
        "scale": int(model.scale) if float(model.scale).is_integer() else model.scale,
        "nf": args["nf"],
        "nb": args["nb"],
        "gc": args["gc"],
        "inChannels": args["in_ch"],
        "outChannels": args["out_ch"],
    }
    metadata = {
        "format": "pt",
        "enhance.arch": json.dumps(arch),
        "enhance.training": json.dumps({"step": state.get("step"), "val_psnr": state.get("val_psnr"), **(summary or {})}),
    }
    write_safetensors(model.state_dict(), out, metadata)
    return arch
