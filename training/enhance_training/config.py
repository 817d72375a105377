"""One dataclass holds every knob of a run; checkpoints carry it so a run resumes as it started."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared"


@dataclass
class Config:
    stage: str = "psnr"  # "psnr" (L1 pre-training) or "gan" (ESRGAN fine-tuning)
    out: str = "training/runs/psnr"
    data: str = str(SHARED / "datasets" / "train")
    val: str = str(SHARED / "datasets" / "eval" / "Set5")  # one folder, or several joined by commas (mean PSNR)
    # Generator: a compact RRDBNet that runs a 640×480 photo ×4 in seconds on two CPU cores.
    nf: int = 32
    nb: int = 4
    gc: int = 16
    # Optimisation.
    iters: int = 6000
    batch: int = 16
    lr_patch: int = 32
    lr: float = 4e-4
    min_lr: float = 1e-6
    warmup: int = 100
    seed: int = 0
    threads: int = 2
    # "auto": a CUDA GPU when PyTorch sees one, else the CPU; or "cpu", "cuda", "cuda:1". Batches, the
    # degradations (JPEG aside: a real encoder on the CPU), losses and validation all run there.
    device: str = "auto"
    # Stage 1's pixel loss: "l1" (ESRGAN, Real-ESRNet) or "mse", whose optimum is the conditional mean,
    # which is what PSNR scores: a short MSE fine-tune after L1 gains PSNR where the input is ambiguous;
    # or "logmse", each patch's log MSE (`losses.log_mse_loss`), for a score that averages dB over photos.
    pixel_loss: str = "l1"
    channels_last: bool = True  # NHWC tensors: about 1.3x the steps/s of NCHW on this CPU
    # The generator's forward pass autocast to bfloat16 (oneDNN on a CPU with AVX512-BF16, or a GPU): 1.5x the
    # steps/s of float32 on the dev VM. Weights, optimiser, losses and validation stay float32.
    bf16: bool = False
    size_power: float = 1.0
    limit_images: int = 0  # 0 = all; tests use a handful
    # Training LR: "bicubic" (ESRGAN: MATLAB bicubic ×1/4) or "realworld" (Real-ESRGAN's second-order
    # degradations, made on the fly). `clean_fraction` of each real-world batch keeps the bicubic LR, so
    # clean originals stay sharp too, and `photo_fraction` gets the single-pass degradation of
    # `PhotoRanges` (one camera or one web save); `gt_usm` sharpens the target of the pixel and perceptual losses.
    degradation: str = "bicubic"
    clean_fraction: float = 0.0
    photo_fraction: float = 0.0
    gt_usm: bool = False
    # The degradations' JPEG: "libjpeg" (Pillow's encoder, on the CPU), "torch" (the same lossy path in PyTorch,
    # on the batch's device: no CPU round trip per JPEG on a GPU) or "auto" (torch on a CUDA GPU, else libjpeg).
    jpeg_codec: str = "auto"
    # A wall-clock budget (0 = none), for a lent GPU's minutes: after its first 50 steps the run shortens
    # `iters` to what its measured rate fits in 90 % of the budget, so the cosine still ends at `min_lr`.
    max_minutes: float = 0.0
    log_every: int = 25
    val_every: int = 250
    # GAN stage (ESRGAN: L_G = L_percep + λ·L_G^Ra + η·L1).
    init: str = ""  # weights to start from (.pt checkpoint or exported .safetensors): stage 1 for GAN, or a run to continue
    d_nf: int = 32
    d_lr: float = 1e-4
    gan_weight: float = 5e-3  # λ
    l1_weight: float = 1e-2  # η
    percep_weight: float = 1.0
    # Low-pass colour term (L1 of 16×16 block means): 0 = off. It keeps the GAN stage free of a colour cast.
    colour_weight: float = 0.0
    # The same term on the slider's blends: each step also scores the network interpolated with the
    # stage-1 weights (`init`) at a random α, so no point of the slider shifts colour or brightness.
    blend_colour_weight: float = 0.0
    # Chroma term (L1 of Cb and Cr at full resolution; 0 = off): the realistic end keeps the original's colour along
    # edges (no coloured fringes) while its luma is left free for texture.
    chroma_weight: float = 0.0
    # The slider's middle in the generator's loss (0 = off): the same step also takes the pixel, perceptual
    # and adversarial terms of the interpolated network's output at that α, so that fine-tuning a realistic
    # end improves the blends people use (the default is α 0.5), not only α = 1.
    blend_weight: float = 0.0
    # The slider's other end for both blend terms: a faithful end's weights, when the run fine-tunes a realistic
    # end; empty means the weights the run started from (`init`), as when stage 2 is trained from stage 1.
    blend_partner: str = ""
    vgg: str = ""  # torchvision VGG19 weights; empty means the substitute below
    feature_matching: bool = True  # substitute perceptual term: discriminator feature matching
    # Exponential moving average of G's weights (0 = off), as BasicSR and Real-ESRGAN keep: it smooths
    # the GAN stage's step-to-step swings. Validation and best.pt use the averaged weights.
    ema: float = 0.0
    # LDL's artefact term (Liang et al., 2022; 0 = off; needs `ema`): L1 weighted by where the output is locally
    # erratic and no closer to the target than the moving average's, which suppresses the GAN's worm-like textures.
    artifact_weight: float = 0.0
    artifact_window: int = 7
    # A checkpoint whose discriminator starts this GAN run (a trained one, when fine-tuning a realistic end).
    init_d: str = ""

    @classmethod
    def from_dict(cls, values: dict) -> "Config":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def model_args(self) -> dict:
        return dict(in_ch=3, out_ch=3, nf=self.nf, nb=self.nb, gc=self.gc, num_up=2, unshuffle=1)
