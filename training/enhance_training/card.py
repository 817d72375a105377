"""Evaluates the bundled pair with the app's own `enhance eval` and writes the model card.

  python3 -m enhance_training.card --psnr runs/psnr --gan runs/gan [--ablation runs/gan-nofm]

Every figure in the card is measured here: PSNR/SSIM on Y with a 4-px shave and NIQE (the app's
MATLAB-compatible implementation), the α sweep on BSD100, and the training logs' own records.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
MODELS = ROOT / "resources" / "models"
SETS = ["Set5", "Set14", "BSD100"]


def enhance(*args: str) -> dict:
    out = subprocess.run(["node", str(ROOT / "bin" / "enhance.js"), *args, "--json", "--device", "cpu"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def evaluate(model: Path, dataset: str) -> dict:
    return enhance("eval", str(SHARED / "datasets" / "eval" / dataset), "--model", str(model))["average"]


def sweep(psnr: Path, gan: Path, dataset: str) -> dict:
    return enhance("eval", str(SHARED / "datasets" / "eval" / dataset), "--model", str(psnr), "--blend", str(gan), "--alpha-sweep")


def svg_plot(rows: list[dict], path: Path, where: str = "BSD100", title: str = "the bundled pair") -> None:
    """PSNR (x) against NIQE (y) for each α: the perception–distortion trade-off, lower NIQE is better."""
    w, h, pad = 560, 380, 60
    xs = [r["average"]["psnr"] for r in rows]
    ys = [r["average"]["niqe"] for r in rows]
    x0, x1 = min(xs) - 0.1, max(xs) + 0.1
    y0, y1 = min(ys) - 0.2, max(ys) + 0.2
    sx = lambda x: pad + (x - x0) / (x1 - x0) * (w - 2 * pad)
    sy = lambda y: h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad)
    points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys))
    labels = "".join(
        f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="#2f6fde"/>'
        f'<text x="{sx(x) + 7:.1f}" y="{sy(y) - 7:.1f}" font-size="12">α={r["alpha"]:.1f}</text>'
        for r, x, y in zip(rows, xs, ys)
    )
    ticks = "".join(
        f'<text x="{sx(x0 + (x1 - x0) * i / 4):.1f}" y="{h - pad + 18}" font-size="11" text-anchor="middle">{x0 + (x1 - x0) * i / 4:.2f}</text>'
        f'<text x="{pad - 8}" y="{sy(y0 + (y1 - y0) * i / 4) + 4:.1f}" font-size="11" text-anchor="end">{y0 + (y1 - y0) * i / 4:.2f}</text>'
        for i in range(5)
    )
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>'
        f"{ticks}"
        f'<polyline points="{points}" fill="none" stroke="#2f6fde" stroke-width="2"/>{labels}'
        f'<text x="{w / 2}" y="{h - 15}" text-anchor="middle" font-size="13">PSNR-Y on {where} (dB, higher is more faithful)</text>'
        f'<text x="18" y="{h / 2}" transform="rotate(-90 18 {h / 2})" text-anchor="middle" font-size="13">NIQE on {where} (lower looks more natural)</text>'
        f'<text x="{w / 2}" y="30" text-anchor="middle" font-size="14">Perception–distortion trade-off of {title}</text></svg>\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--psnr-log", type=Path, default=ROOT / "training" / "runs" / "psnr.log")
    parser.add_argument("--gan-log", type=Path, default=ROOT / "training" / "runs" / "gan.log")
    parser.add_argument("--ablation", type=Path, default=None, help="a GAN export trained without the perceptual substitute")
    parser.add_argument("--out", type=Path, default=ROOT / "training" / "runs" / "card.json")
    parser.add_argument("--plot", nargs=4, metavar=("SWEEP_JSON", "SVG", "WHERE", "TITLE"),
                        help="only draw the plot of an `enhance eval --alpha-sweep --json` result")
    args = parser.parse_args()
    if args.plot:
        sweep_json, svg, where, title = args.plot
        svg_plot(json.loads(Path(sweep_json).read_text())["sweep"], Path(svg), where, title)
        return
    psnr, gan = MODELS / "enhance-psnr-x4.safetensors", MODELS / "enhance-gan-x4.safetensors"
    results: dict = {"psnr": {}, "gan": {}}
    for name, model in (("psnr", psnr), ("gan", gan)):
        for dataset in SETS:
            results[name][dataset] = evaluate(model, dataset)
            print(name, dataset, results[name][dataset], flush=True)
    if args.ablation:
        results["ablation"] = {"BSD100": evaluate(args.ablation, "BSD100")}
        print("ablation", results["ablation"], flush=True)
    results["sweep"] = sweep(psnr, gan, "BSD100")
    svg_plot(results["sweep"]["sweep"], MODELS / "perception-distortion.svg")
    args.out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results["sweep"], indent=1))


if __name__ == "__main__":
    main()
