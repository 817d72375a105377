"""Commands: one per stage, plus export and the LR-reproduction check.

  python3 -m enhance_training psnr   --out runs/psnr [--iters N ...]
  python3 -m enhance_training gan    --out runs/gan --init runs/psnr/best.pt [--vgg vgg19.pth]
  python3 -m enhance_training export runs/psnr/best.pt ../resources/models/enhance-psnr-x4.safetensors
  python3 -m enhance_training grow resources/models/enhance-real-gan-x4.safetensors grown.safetensors --nb 6 [--inner-from P.safetensors]
  python3 -m enhance_training colour-tune --psnr P.safetensors --gan G.safetensors --out G-tuned.safetensors [--steps 400]
      [--chroma-weight 1 --degradation realworld]
  python3 -m enhance_training check-lr [--sets Set5,Set14,BSD100]
  python3 -m enhance_training benchmark --out bench/out/realworld [--sets Set14,BSD100] [--seed 0]
  python3 -m enhance_training samples --out resources/models/degraded-samples.png
  python3 -m enhance_training crops --out resources/models/realworld-crops.png [--photo Set14_img_012.png]
  python3 -m enhance_training pack --out training/runs/pack --val <folders,...> [--patches 3000] [--hr-patch 192]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np

from .config import SHARED, Config
from .data import load_rgb, mod_crop
from .allocator import restart_tuned
from .benchmark import degraded_samples, make_benchmark
from .colour_tune import colour_tune
from .crops import DEFAULT_PHOTO as DEFAULT_CROPS_PHOTO, Pair, side_by_side
from .export import export, grow
from .pack import pack
from .imresize import downsample_uint8
from .train import Trainer


def add_config_args(parser: argparse.ArgumentParser) -> None:
    for f in fields(Config):
        if f.name == "stage":
            continue
        kind = {"int": int, "float": float, "str": str, "bool": lambda s: s.lower() in ("1", "true", "yes")}[str(f.type)]
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=None)


def check_lr(sets: list[str]) -> None:
    """How exactly our MATLAB-style bicubic reproduces the benchmark LR files."""
    for name in sets:
        root = SHARED / "datasets" / "eval" / name
        sq, sq_inner, n, n_inner, exact = 0.0, 0.0, 0, 0, 0
        for hr_path in sorted((root / "HR").glob("*.png")):
            lr = load_rgb(root / "LR_bicubic_x4" / hr_path.name).astype(np.float64)
            mine = downsample_uint8(mod_crop(load_rgb(hr_path), 4)).astype(np.float64)
            d = mine - lr
            sq += (d**2).sum()
            n += d.size
            exact += (d == 0).sum()
            inner = d[2:-2, 2:-2]
            sq_inner += (inner**2).sum()
            n_inner += inner.size
        psnr = lambda s, k: 10 * np.log10(255**2 / (s / k))
        print(f"{name}: PSNR {psnr(sq, n):.2f} dB, without a 2-px border {psnr(sq_inner, n_inner):.2f} dB, {100 * exact / n:.1f}% of values identical")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="enhance_training")
    sub = parser.add_subparsers(dest="command", required=True)
    for stage in ("psnr", "gan"):
        add_config_args(sub.add_parser(stage, help=f"train the {stage.upper()} stage"))
    exp = sub.add_parser("export", help="write a checkpoint as .safetensors")
    exp.add_argument("checkpoint", type=Path)
    exp.add_argument("out", type=Path)
    grw = sub.add_parser("grow", help="an exported generator grown to more or wider RRDBs, computing the same function")
    grw.add_argument("source", type=Path)
    grw.add_argument("out", type=Path)
    for width in ("--nb", "--nf", "--gc"):
        grw.add_argument(width, type=int)
    grw.add_argument("--inner-from", type=Path, help="the faithful end whose new blocks' inner convolutions the partner takes")
    tune = sub.add_parser("colour-tune", help="a GAN partner's colour cast trained out of its last two convolutions")
    tune.add_argument("--psnr", type=Path, required=True)
    tune.add_argument("--gan", type=Path, required=True)
    tune.add_argument("--out", type=Path, required=True)
    tune.add_argument("--steps", type=int, default=400)
    tune.add_argument("--data", type=Path, default=SHARED / "datasets" / "train")
    tune.add_argument("--chroma-weight", type=float, default=0.0, help="also learn Cb/Cr at full resolution (fringes)")
    tune.add_argument("--degradation", choices=("bicubic", "realworld"), default="bicubic")
    chk = sub.add_parser("check-lr", help="compare our bicubic ×1/4 with the benchmark LR files")
    chk.add_argument("--sets", default="Set5,Set14,BSD100")
    bench = sub.add_parser("benchmark", help="write the seeded real-world benchmark (web JPEG, camera, scan, mix)")
    bench.add_argument("--out", type=Path, required=True)
    bench.add_argument("--sets", default="Set14,BSD100")
    bench.add_argument("--seed", type=int, default=0)
    pk = sub.add_parser("pack", help="a patch subset of the training photos and the validation folders, for a GPU machine")
    pk.add_argument("--out", type=Path, required=True)
    pk.add_argument("--patches", type=int, default=3000)
    pk.add_argument("--hr-patch", type=int, default=192)
    pk.add_argument("--val", required=True, help="validation folders, comma-separated")
    pk.add_argument("--data", type=Path, default=SHARED / "datasets" / "train")
    samples = sub.add_parser("samples", help="write the model card's grid of degraded samples of a synthetic chart")
    samples.add_argument("--out", type=Path, required=True)
    crops = sub.add_parser("crops", help="write the model card's side-by-side crops of both pairs on the real-world benchmark")
    crops.add_argument("--out", type=Path, required=True)
    crops.add_argument("--bench", type=Path, default=Path("bench/out/realworld"))
    crops.add_argument("--photo", default=DEFAULT_CROPS_PHOTO, help="a file name in the benchmark's HR folders")
    crops.add_argument("--models", type=Path, default=Path("resources/models"))
    args = parser.parse_args(argv)

    if args.command == "pack":
        val = [Path(v) for v in args.val.split(",")]
        print(json.dumps(pack(args.data, val, args.out, args.patches, args.hr_patch), indent=1))
        return 0
    if args.command == "samples":
        degraded_samples(args.out)
        return 0
    if args.command == "crops":
        pairs = [Pair(args.models / f"enhance-{kind}psnr-x4.safetensors", args.models / f"enhance-{kind}gan-x4.safetensors") for kind in ("", "real-")]
        side_by_side(args.bench, args.photo, *pairs, args.out)
        return 0
    if args.command == "benchmark":
        make_benchmark(args.out, args.sets.split(","), args.seed)
        return 0
    if args.command == "export":
        print(export(args.checkpoint, args.out))
        return 0
    if args.command == "grow":
        print(grow(args.source, args.out, args.nb, args.nf, args.gc, args.inner_from))
        return 0
    if args.command == "colour-tune":
        restart_tuned(argv)
        summary = colour_tune(args.psnr, args.gan, args.out, args.data, args.steps, chroma_weight=args.chroma_weight,
                              degradation=args.degradation, log=lambda line: print(line, flush=True))
        print(json.dumps(summary, indent=1))
        return 0
    if args.command == "check-lr":
        check_lr(args.sets.split(","))
        return 0
    restart_tuned(argv)
    values = {k: v for k, v in vars(args).items() if k != "command" and v is not None}
    config = Config.from_dict({"stage": args.command, "out": f"training/runs/{args.command}", **values})
    best = Trainer(config).run(log=lambda line: print(line, flush=True))
    print(f"done: best validation PSNR-Y {best['psnr']:.3f} dB at step {best['step']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
