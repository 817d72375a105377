"""Writes a generator checkpoint as .safetensors in the BasicSR key layout, with metadata."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import torch

from .arch import RRDBNet, grow_network


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


def read_safetensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Reads a float32 .safetensors file (ours, as `write_safetensors` writes it): tensors and metadata."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    body = raw[8 + length :]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {entry['dtype']}; only F32 exports are read here")
        start, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(entry["shape"])
    return tensors, metadata


def load_generator_weights(path: Path) -> dict[str, torch.Tensor]:
    """G's state dict from a training checkpoint (.pt) or an exported .safetensors, for warm starts."""
    if path.suffix == ".safetensors":
        return read_safetensors(path)[0]
    return torch.load(path, map_location="cpu", weights_only=False)["g"]  # our own checkpoint


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


def grow(
    source: Path, out: Path, nb: int | None = None, nf: int | None = None, gc: int | None = None, inner_from: Path | None = None
) -> dict:
    """An exported generator grown to more RRDBs or wider ones, computing what the source computes
    (`grow_network`): the partner a grown PSNR model needs for network interpolation, which blends
    like-shaped weights. With `inner_from` (a model of the target's shape, the faithful end the partner is
    for) the new blocks' inner convolutions (conv1–conv4 of each dense block) are that model's: their last
    convolutions stay zero, so the grown model still computes the source's function, and every blend's new
    blocks are the faithful end's own with their output scaled by 1 − α, not a mix with random weights."""
    tensors, metadata = read_safetensors(source)
    arch = json.loads(metadata["enhance.arch"])
    model_args = dict(in_ch=arch["inChannels"], out_ch=arch["outChannels"], nf=arch["nf"], nb=arch["nb"], gc=arch["gc"])
    target = {**model_args, "nb": nb or arch["nb"], "nf": nf or arch["nf"], "gc": gc or arch["gc"]}
    grown = grow_network(tensors, model_args, target)
    note = "the new parts computing nothing yet"
    if inner_from is not None:
        if (target["nf"], target["gc"]) != (model_args["nf"], model_args["gc"]):
            raise ValueError("--inner-from copies whole blocks: grow the blocks only (--nb), not their widths")
        inner, _ = read_safetensors(inner_from)
        new_blocks = tuple(f"body.{i}." for i in range(model_args["nb"], target["nb"]))
        for key in grown:
            if key.startswith(new_blocks) and ".conv5." not in key:
                grown[key] = inner[key].clone()
        note += f"; the new blocks' conv1–conv4 from {inner_from.name}"
    change = ", ".join(f"{key} {model_args[key]} → {target[key]}" for key in ("nb", "nf", "gc") if target[key] != model_args[key])
    training = {**json.loads(metadata.get("enhance.training", "{}")), "grown": f"{change}, {note}"}
    arch = {**arch, "nb": target["nb"], "nf": target["nf"], "gc": target["gc"]}
    write_safetensors(grown, out, {**metadata, "enhance.arch": json.dumps(arch), "enhance.training": json.dumps(training)})
    return arch
