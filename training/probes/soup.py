"""A weight-space probe for issue #10: task arithmetic over fine-tunes of one start (model soups). The
specialists of the twenty-second session (the shipped faithful end fine-tuned on the mix alone and on web
JPEGs alone) each gain on their class and lose elsewhere; does adding their weight changes to the start,
θ = θ₀ + Σ wᵢ (θᵢ − θ₀), keep both gains?

  PYTHONPATH=training /usr/bin/python3 training/probes/soup.py resources/models/enhance-real-psnr-x4.safetensors \\
      <out.safetensors> training/runs/mix-probe-mse/best.pt:0.5 training/runs/probe-web32-mse/best.pt:0.5
"""

import sys
from pathlib import Path

from enhance_training.export import load_generator_weights, read_safetensors, write_safetensors


def main() -> None:
    start, out = Path(sys.argv[1]), Path(sys.argv[2])
    base, metadata = read_safetensors(start)
    soup = {name: weight.clone() for name, weight in base.items()}
    for spec in sys.argv[3:]:
        path, share = spec.rsplit(":", 1)
        tuned = load_generator_weights(Path(path))
        for name in soup:
            soup[name] += float(share) * (tuned[name].float() - base[name])
    write_safetensors(soup, out, {**metadata, "soup": " + ".join(sys.argv[3:])})


if __name__ == "__main__":
    main()
