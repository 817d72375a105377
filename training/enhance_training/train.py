"""ESRGAN training, both stages, in one lean loop (in the spirit of nanoGPT's train.py).

Checkpoints (`last.pt`) carry the config, model args, step, both optimisers and the best metric, and are
written atomically; starting a run whose folder has one resumes it exactly where it stopped.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

from .arch import RRDBNet, count_blocks, grow_network, scaled_kaiming_init, state_width
from .config import Config
from .data import PatchSampler, load_pairs, load_rgb, mod_crop
from .degradations import JpegCodec, RealWorldMix, jpeg, usm_sharpen
from .discriminator import VGGDiscriminator
from .export import load_generator_weights
from .jpeg_torch import jpeg_torch
from .losses import (
    PerceptualLoss,
    VGG19Conv54,
    artifact_loss,
    chroma_loss,
    colour_loss,
    feature_matching_loss,
    log_mse_loss,
    ragan_d_loss,
    ragan_g_loss,
)
from .metrics import psnr_y, to_uint8_image


def learning_rate(config: Config, step: int, peak: float) -> float:
    if step < config.warmup:
        return peak * (step + 1) / config.warmup
    progress = min(1.0, (step - config.warmup) / max(1, config.iters - config.warmup))
    return config.min_lr + 0.5 * (peak - config.min_lr) * (1 + math.cos(math.pi * progress))


def save_atomic(obj: dict, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def lr_folder(root: Path) -> Path:
    """A benchmark's LR images: `LR_x4/` in our real-world sets, `LR_bicubic_x4/` in the classic ones."""
    return root / "LR_x4" if (root / "LR_x4").is_dir() else root / "LR_bicubic_x4"


def validate(model: RRDBNet, folders: str) -> dict[str, float]:
    """PSNR-Y on each benchmark folder (comma-separated) that exists, by folder path."""
    return {folder: validate_folder(model, Path(folder)) for folder in folders.split(",") if Path(folder).exists()}


def validate_folder(model: RRDBNet, root: Path) -> float:
    scores = []
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        for hr_path in sorted((root / "HR").glob("*.png")):
            hr = mod_crop(load_rgb(hr_path), 4)
            lr = load_rgb(lr_folder(root) / hr_path.name)
            x = torch.from_numpy(lr).permute(2, 0, 1)[None].float().div(255).to(device)
            scores.append(psnr_y(to_uint8_image(model(x)), hr))
    model.train()
    return float(np.mean(scores))


def training_device(name: str) -> torch.device:
    """The device a run trains on: `auto` takes a CUDA GPU when PyTorch sees one."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"--device {name}: PyTorch sees no CUDA GPU here; use --device cpu or auto.")
    return device


def cpu_has_native_bf16(cpuinfo: str) -> bool:
    return any(flag in cpuinfo.split() for flag in ("avx512_bf16", "amx_bf16"))


def check_bf16(device: torch.device, cpuinfo_path: Path = Path("/proc/cpuinfo")) -> None:
    """Refuses `--bf16` where bfloat16 is emulated: on a CPU without AVX512-BF16 or AMX a step is ~15× slower."""
    if device.type == "cuda":
        supported = torch.cuda.is_bf16_supported()
    elif cpuinfo_path.exists():
        supported = cpu_has_native_bf16(cpuinfo_path.read_text())
    else:
        return  # no way to tell here: let it run
    if not supported:
        raise SystemExit(
            f"--bf16 true: this {device.type.upper()} has no native bfloat16, so PyTorch would emulate it and train"
            " many times slower than in float32. Run with --bf16 false."
        )


def jpeg_codec(name: str, device: torch.device) -> JpegCodec:
    """The degradations' JPEG for `--jpeg-codec`: "auto" keeps a GPU run's batches on the GPU."""
    codecs = {"libjpeg": jpeg, "torch": jpeg_torch}
    if name == "auto":
        return jpeg_torch if device.type == "cuda" else jpeg
    if name not in codecs:
        raise SystemExit(f"--jpeg-codec {name}: choose auto, libjpeg or torch.")
    return codecs[name]


BUDGET_PROBE_STEPS = 50


class Trainer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.out = Path(config.out)
        self.out.mkdir(parents=True, exist_ok=True)
        torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        self.device = training_device(config.device)
        if config.bf16:
            check_bf16(self.device)
        self.g = RRDBNet(**config.model_args)
        scaled_kaiming_init(self.g, 0.1)
        self.g.to(self.device)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=config.lr, betas=(0.9, 0.99))
        self.step = 0
        self.best = {"psnr": -1.0, "step": 0}
        self.history: list[dict] = []
        self.gan = config.stage == "gan"
        if self.gan:
            self.d = VGGDiscriminator(nf=config.d_nf, patch=config.lr_patch * 4).to(self.device)
            self.opt_d = torch.optim.Adam(self.d.parameters(), lr=config.d_lr, betas=(0.9, 0.99))
            vgg = VGG19Conv54.from_torchvision(Path(config.vgg)).to(self.device) if config.vgg else None
            self.percep = PerceptualLoss(vgg) if vgg is not None else None
        if config.init:
            self.g.load_state_dict(self.warm_start_weights(Path(config.init)))
        if self.gan and config.init_d:
            self.d.load_state_dict(torch.load(config.init_d, map_location="cpu", weights_only=False)["d"])
        if config.artifact_weight > 0 and config.ema <= 0:
            raise ValueError("the artefact term compares with the moving average: give --ema too")
        if config.channels_last:
            self.g.to(memory_format=torch.channels_last)
            if self.gan:
                self.d.to(memory_format=torch.channels_last)
        self.partner = self.slider_partner()
        self.g_ema = copy.deepcopy(self.g).requires_grad_(False) if config.ema > 0 else None
        self.sampler: PatchSampler | None = None
        codec = jpeg_codec(config.jpeg_codec, self.device)
        self.mix = (RealWorldMix(config.clean_fraction, config.photo_fraction, codec)
                    if config.degradation == "realworld" else None)
        if config.degradation not in ("bicubic", "realworld"):
            raise ValueError(f"degradation must be bicubic or realworld, not {config.degradation!r}")

    def slider_partner(self) -> dict[str, torch.Tensor]:
        """The slider's other end for the blend terms: `blend_partner`, or the weights the run started from
        (taken before a resume replaces G's)."""
        if not self.config.blend_partner:
            return {k: v.detach().clone() for k, v in self.g.state_dict().items()}
        partner = self.warm_start_weights(Path(self.config.blend_partner))
        return {k: v.to(self.device) for k, v in partner.items()}

    def warm_start_weights(self, path: Path) -> dict[str, torch.Tensor]:
        """The weights to start from; a smaller RRDBNet is grown to this run's blocks and widths."""
        state = load_generator_weights(path)
        nf, gc = state_width(state)
        source_args = {**self.config.model_args, "nb": count_blocks(state), "nf": nf, "gc": gc}
        return grow_network(state, source_args, self.config.model_args)

    # -- checkpoints -------------------------------------------------------------------------
    def state(self) -> dict:
        state = {
            "config": self.config.to_dict(),
            "model_args": self.config.model_args,
            "step": self.step,
            "g": self.g.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "best": self.best,
            "history": self.history,
        }
        if self.gan:
            state |= {"d": self.d.state_dict(), "opt_d": self.opt_d.state_dict()}
        if self.g_ema is not None:
            state["g_ema"] = self.g_ema.state_dict()
        return state

    def resume(self) -> bool:
        last = self.out / "last.pt"
        if not last.exists():
            return False
        state = torch.load(last, map_location="cpu", weights_only=False)
        self.g.load_state_dict(state["g"])
        self.opt_g.load_state_dict(state["opt_g"])
        if self.gan:
            self.d.load_state_dict(state["d"])
            self.opt_d.load_state_dict(state["opt_d"])
        if self.g_ema is not None:
            self.g_ema.load_state_dict(state["g_ema"])
        self.step, self.best, self.history = state["step"], state["best"], state["history"]
        return True

    def checkpoint(self) -> None:
        save_atomic(self.state(), self.out / "last.pt")

    # -- one step ----------------------------------------------------------------------------
    def set_lr(self) -> float:
        lr = learning_rate(self.config, self.step, self.config.lr)
        for group in self.opt_g.param_groups:
            group["lr"] = lr
        if self.gan:
            for group in self.opt_d.param_groups:
                group["lr"] = learning_rate(self.config, self.step, self.config.d_lr)
        return lr

    def training_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(LR, HR) for this step: a pure function of (seed, step), degradations included."""
        c = self.config
        lr_img, hr = (t.to(self.device) for t in self.sampler.batch(c.seed, self.step, c.batch))
        if self.mix is not None:
            lr_img = self.mix(lr_img, hr, c.seed, self.step)
        return lr_img, hr

    def pixel_target(self, hr: torch.Tensor) -> torch.Tensor:
        """The target of the pixel and perceptual losses: the HR patch, unsharp-masked with `gt_usm`."""
        return usm_sharpen(hr) if self.config.gt_usm else hr

    def generate(self, lr_img: torch.Tensor, net: RRDBNet | None = None,
                 weights: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """G's output (or `net`'s, or G's with other `weights`) for a training step, in float32 whether or not the
        forward pass ran in bfloat16."""
        net = net or self.g
        with torch.autocast(device_type=self.device.type, dtype=torch.bfloat16, enabled=self.config.bf16):
            out = functional_call(net, weights, (lr_img,)) if weights is not None else net(lr_img)
        return out.float()

    def psnr_step(self, lr_img: torch.Tensor, hr: torch.Tensor) -> dict:
        pixel_loss = {"l1": F.l1_loss, "mse": F.mse_loss, "logmse": log_mse_loss}[self.config.pixel_loss]
        loss = pixel_loss(self.generate(lr_img), self.pixel_target(hr))
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        return {self.config.pixel_loss: loss.item()}

    def gan_step(self, lr_img: torch.Tensor, hr: torch.Tensor) -> dict:
        c = self.config
        sr = self.generate(lr_img)
        for p in self.d.parameters():
            p.requires_grad_(False)
        real_logits, real_feats = self.d(hr, with_features=True)
        target = self.pixel_target(hr)
        l1, adv, percep = self.realism_terms(sr, target, real_logits, real_feats)
        colour = colour_loss(sr, hr) if c.colour_weight > 0 else sr.new_zeros(())
        chroma = chroma_loss(sr, hr) if c.chroma_weight > 0 else sr.new_zeros(())
        blend_colour, blend = sr.new_zeros(()), sr.new_zeros(())
        if c.blend_colour_weight > 0 or c.blend_weight > 0:
            blended = self.blended_output(lr_img)
            if c.blend_colour_weight > 0:
                blend_colour = colour_loss(blended, hr)
            if c.blend_weight > 0:
                blend = self.weighted_realism(*self.realism_terms(blended, target, real_logits, real_feats))
        artifacts = self.artifact_term(lr_img, sr, hr) if c.artifact_weight > 0 else sr.new_zeros(())
        g_loss = (
            self.weighted_realism(l1, adv, percep)
            + c.colour_weight * colour
            + c.chroma_weight * chroma
            + c.blend_colour_weight * blend_colour
            + c.blend_weight * blend
            + c.artifact_weight * artifacts
        )
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()

        for p in self.d.parameters():
            p.requires_grad_(True)
        d_loss = ragan_d_loss(self.d(hr), self.d(sr.detach()))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        return {"l1": l1.item(), "percep": percep.item(), "g_adv": adv.item(), "colour": colour.item(), "chroma": chroma.item(),
                "blend_colour": blend_colour.item(), "blend": blend.item(), "artifacts": artifacts.item(),
                "d": d_loss.item()}

    def realism_terms(self, sr: torch.Tensor, target: torch.Tensor, real_logits: torch.Tensor,
                      real_feats: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """ESRGAN's generator terms for an output: L1 and perceptual against the pixel target (`pixel_target`),
        RaGAN's adversarial."""
        fake_logits, fake_feats = self.d(sr, with_features=True)
        adv = ragan_g_loss(real_logits.detach(), fake_logits)
        if self.percep is not None:
            percep = self.percep(sr, target)
        elif self.config.feature_matching:
            percep = feature_matching_loss(real_feats, fake_feats)
        else:
            percep = sr.new_zeros(())
        return F.l1_loss(sr, target), adv, percep

    def weighted_realism(self, l1: torch.Tensor, adv: torch.Tensor, percep: torch.Tensor) -> torch.Tensor:
        """L_G = L_percep + λ·L_G^Ra + η·L1."""
        c = self.config
        return c.percep_weight * percep + c.gan_weight * adv + c.l1_weight * l1

    def artifact_term(self, lr_img: torch.Tensor, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        """LDL scores against the plain HR patch, not the unsharp-masked target of the pixel loss."""
        with torch.no_grad():
            stable = self.generate(lr_img, self.g_ema)
        return artifact_loss(sr, stable, hr, self.config.artifact_window)

    def blended_output(self, lr_img: torch.Tensor) -> torch.Tensor:
        """The output of the network interpolated with the slider's other end at a random α of the step: ESRGAN's
        interpolation is not linear in the output, so a blend can darken, or smooth, where neither end does."""
        alpha = float(np.random.default_rng([self.config.seed, self.step, 7]).uniform(0.2, 0.8))
        blended = {name: (1 - alpha) * self.partner[name] + alpha * p for name, p in self.g.named_parameters()}
        return self.generate(lr_img, weights=blended)

    @torch.no_grad()
    def update_ema(self) -> None:
        decay = self.config.ema
        for averaged, current in zip(self.g_ema.parameters(), self.g.parameters()):
            averaged.mul_(decay).add_(current, alpha=1 - decay)

    @property
    def g_eval(self) -> RRDBNet:
        """The weights that are validated and exported: the moving average when there is one."""
        return self.g_ema if self.g_ema is not None else self.g

    # -- the loop ----------------------------------------------------------------------------
    def run(self, log=print, until: int | None = None) -> dict:
        """Trains to `config.iters` (or stops early after step `until`, as an interruption would)."""
        c = self.config
        if self.resume():
            log(f"resumed {self.out}/last.pt at step {self.step}")
        if self.sampler is None:
            started = time.time()
            pairs = load_pairs(Path(c.data), limit=c.limit_images or None)
            self.sampler = PatchSampler(pairs, c.lr_patch, size_power=c.size_power)
            log(f"loaded {len(pairs)} training images in {time.time() - started:.0f}s")
        self.g.train()
        window_start, window_steps = time.time(), 0
        loop_start, start_step = time.time(), self.step
        while self.step < min(c.iters, until or c.iters):
            lr = self.set_lr()
            lr_img, hr = self.training_batch()
            if c.channels_last:
                lr_img, hr = lr_img.contiguous(memory_format=torch.channels_last), hr.contiguous(memory_format=torch.channels_last)
            losses = self.gan_step(lr_img, hr) if self.gan else self.psnr_step(lr_img, hr)
            if self.g_ema is not None:
                self.update_ema()
            self.step += 1
            window_steps += 1
            if self.step % c.log_every == 0 or self.step == c.iters:
                rate = window_steps / max(1e-9, time.time() - window_start)
                eta = (c.iters - self.step) / max(rate, 1e-9)
                text = " ".join(f"{k} {v:.4f}" for k, v in losses.items())
                log(f"step {self.step}/{c.iters} {text} lr {lr:.2e} {rate:.2f} it/s ETA {eta / 60:.1f} min")
                window_start, window_steps = time.time(), 0
            if c.max_minutes > 0 and self.step - start_step == BUDGET_PROBE_STEPS:
                self.fit_to_budget(time.time() - loop_start, BUDGET_PROBE_STEPS, log)
            if self.step % c.val_every == 0 or self.step == c.iters:
                self.evaluate(log)
        return self.best

    def fit_to_budget(self, elapsed: float, steps: int, log) -> None:
        """Shortens the run to what its measured rate fits in 90 % of `max_minutes`."""
        c = self.config
        fits = self.step + int(steps / elapsed * (c.max_minutes * 60 - elapsed) * 0.9)
        if fits < c.iters:
            c.iters = max(self.step + 1, fits)
            log(f"budget {c.max_minutes:g} min at {steps / elapsed:.2f} it/s: the run ends at step {c.iters}")

    def evaluate(self, log) -> None:
        per_folder = validate(self.g_eval, self.config.val)
        # Every folder weighs the same, so a real-world run is not picked for clean photos alone.
        score = float(np.mean(list(per_folder.values()))) if per_folder else float("nan")
        self.history.append({"step": self.step, "val_psnr": score} | ({"val": per_folder} if len(per_folder) > 1 else {}))
        is_best = score > self.best["psnr"] or self.config.stage == "gan"
        if is_best:
            # The GAN stage keeps its latest weights: PSNR is not what it optimises.
            self.best = {"psnr": score, "step": self.step}
            save_atomic({"g": self.g_eval.state_dict(), "model_args": self.config.model_args, "step": self.step, "val_psnr": score}, self.out / "best.pt")
        detail = " (" + ", ".join(f"{Path(k).parent.name}/{Path(k).name} {v:.2f}" for k, v in per_folder.items()) + ")" if len(per_folder) > 1 else ""
        log(f"val PSNR-Y {score:.3f} dB{detail} at step {self.step}{' (best)' if is_best else ''}")
        self.checkpoint()
        (self.out / "history.json").write_text(json.dumps(self.history, indent=1))
