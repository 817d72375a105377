"""Scores models on the real-world benchmark and the clean sets with the app's own `enhance eval`.

  python3 -m enhance_training.realworld_eval --bench bench/out/realworld \\
      --model real=resources/models/enhance-real-psnr-x4.safetensors [--model …] [--jobs 2] \\
      --out training/logs/realworld-eval.json

Every row is measured: PSNR/SSIM on Y (4-px shave), NIQE, the per-channel mean colour shift, the
JPEG grid ratio and the chroma error along edges (fringes), for each model and for bicubic, on each
real-world class and on Set5/Set14/BSD100.
Bicubic is the same for every model, so it is taken from the first one.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .card import ROOT, SETS, SHARED, enhance

CLASSES = ["web_jpeg", "camera_jpeg", "blurred_scan", "second_order"]


def score(model: str, dataset: Path) -> dict:
    return enhance("eval", str(dataset), *model.split(" "))["average"]


def table(results: dict, models: list[str]) -> str:
    lines = ["| set | bicubic PSNR | " + " | ".join(f"{m} PSNR / NIQE / max ΔRGB / grid / fringe" for m in models) + " |"]
    lines.append("|---" * (2 + len(models)) + "|")
    for dataset, row in results.items():
        bicubic = next(iter(row.values()))["bicubic"]
        cells = []
        for m in models:
            r = row[m]["model"]
            shift = max(abs(v) for v in r["colour"])
            fringe = r.get("fringe", float("nan"))
            cells.append(f"{r['psnr']:.2f} / {r.get('niqe', float('nan')):.2f} / {shift:.2f} / {r['grid']:.3f} / {fringe:.2f}")
        fringe = bicubic.get("fringe", float("nan"))
        lines.append(f"| {dataset} | {bicubic['psnr']:.2f} (grid {bicubic['grid']:.3f}, fringe {fringe:.2f}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, default=ROOT / "bench" / "out" / "realworld")
    parser.add_argument("--model", action="append", required=True, help="name=<file> or name=<file>@<partner>:<alpha>")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--clean", action="store_true", help="also score Set5, Set14 and BSD100")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--precision", default="auto", help="the app's --precision: fp32 scores the weights themselves")
    args = parser.parse_args()
    models: dict[str, str] = {}
    for spec in args.model:
        name, _, rest = spec.partition("=")
        path, _, pair = rest.partition("@")
        blend = f" --blend {pair.split(':')[0]} --alpha {pair.split(':')[1]}" if pair else ""
        models[name] = f"--model {path}{blend} --precision {args.precision}"
    datasets = {c: args.bench / c for c in CLASSES}
    if args.clean:
        datasets |= {s: SHARED / "datasets" / "eval" / s for s in SETS}
    jobs = [(d, m) for d in datasets for m in models]
    with ThreadPoolExecutor(args.jobs) as pool:
        scores = list(pool.map(lambda job: score(models[job[1]], datasets[job[0]]), jobs))
    results: dict = {}
    for (dataset, model), result in zip(jobs, scores):
        results.setdefault(dataset, {})[model] = result
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(table(results, list(models)))


if __name__ == "__main__":
    main()
