"""Blur kernels of Real-ESRGAN's degradation model (Wang et al., ICCVW 2021), as float64 numpy arrays.

Gaussian (isotropic and anisotropic), generalised Gaussian, plateau, and the circular low-pass
("sinc") filter that imitates ringing and overshoot. Every kernel is odd-sized and sums to 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

KINDS = ("iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso", "plateau_aniso")


def _grid(size: int) -> np.ndarray:
    r = np.arange(size, dtype=np.float64) - size // 2
    xx, yy = np.meshgrid(r, r)
    return np.stack([xx, yy], -1)  # size×size×2


def _inverse_covariance(sigma_x: float, sigma_y: float, theta: float) -> np.ndarray:
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    covariance = rotation @ np.diag([sigma_x**2, sigma_y**2]) @ rotation.T
    return np.linalg.inv(covariance)


def _mahalanobis_sq(size: int, sigma_x: float, sigma_y: float, theta: float) -> np.ndarray:
    grid = _grid(size)
    return np.einsum("hwi,ij,hwj->hw", grid, _inverse_covariance(sigma_x, sigma_y, theta), grid)


def _normalised(kernel: np.ndarray) -> np.ndarray:
    return kernel / kernel.sum()


def gaussian(size: int, sigma_x: float, sigma_y: float, theta: float) -> np.ndarray:
    return _normalised(np.exp(-0.5 * _mahalanobis_sq(size, sigma_x, sigma_y, theta)))


def generalized_gaussian(size: int, sigma_x: float, sigma_y: float, theta: float, beta: float) -> np.ndarray:
    """exp(-½ (dᵀΣ⁻¹d)^β): β < 1 has heavier tails than a Gaussian, β > 1 a flatter top."""
    return _normalised(np.exp(-0.5 * _mahalanobis_sq(size, sigma_x, sigma_y, theta) ** beta))


def plateau(size: int, sigma_x: float, sigma_y: float, theta: float, beta: float) -> np.ndarray:
    """1 / (1 + (dᵀΣ⁻¹d)^β): a flat top with slowly decaying sides."""
    return _normalised(1.0 / (1.0 + _mahalanobis_sq(size, sigma_x, sigma_y, theta) ** beta))


def bessel_j1(x: np.ndarray) -> np.ndarray:
    """J1 by Bessel's integral, J1(x) = (1/π)∫₀^π cos(τ − x sin τ) dτ (Simpson, 1e-10 accurate for |x| < 70)."""
    tau = np.linspace(0.0, math.pi, 513)
    weights = np.ones_like(tau)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    values = np.cos(tau[None, :] - np.asarray(x, dtype=np.float64).reshape(-1, 1) * np.sin(tau)[None, :])
    return ((values * weights).sum(1) * (tau[1] - tau[0]) / 3 / math.pi).reshape(np.shape(x))


def sinc(size: int, cutoff: float) -> np.ndarray:
    """The ideal circular low-pass filter with cut-off `cutoff` (radians per pixel), truncated to size×size."""
    r = np.hypot(*np.moveaxis(_grid(size), -1, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        kernel = cutoff * bessel_j1(cutoff * r) / (2 * math.pi * r)
    kernel[size // 2, size // 2] = cutoff**2 / (4 * math.pi)
    return _normalised(kernel)


@dataclass(frozen=True)
class BlurRanges:
    """One stage's kernel distribution (DESIGN.md §7)."""

    sigma: tuple[float, float] = (0.2, 3.0)
    beta_gaussian: tuple[float, float] = (0.5, 4.0)
    beta_plateau: tuple[float, float] = (1.0, 2.0)
    probabilities: tuple[float, ...] = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)
    sinc_probability: float = 0.1
    sizes: tuple[int, ...] = (7, 9, 11, 13, 15, 17, 19, 21)


def random_blur(rng: np.random.Generator, ranges: BlurRanges) -> np.ndarray:
    size = int(rng.choice(ranges.sizes))
    if rng.random() < ranges.sinc_probability:
        # Small kernels can't hold a low cut-off's ripples, so they get the milder range (as Real-ESRGAN).
        low = math.pi / 3 if size < 13 else math.pi / 5
        return sinc(size, float(rng.uniform(low, math.pi)))
    kind = KINDS[int(rng.choice(len(KINDS), p=np.array(ranges.probabilities) / sum(ranges.probabilities)))]
    sigma_x = float(rng.uniform(*ranges.sigma))
    if kind.endswith("iso") and not kind.endswith("aniso"):
        sigma_y, theta = sigma_x, 0.0
    else:
        sigma_y, theta = float(rng.uniform(*ranges.sigma)), float(rng.uniform(-math.pi, math.pi))
    if kind.startswith("generalized"):
        return generalized_gaussian(size, sigma_x, sigma_y, theta, _beta(rng, ranges.beta_gaussian))
    if kind.startswith("plateau"):
        return plateau(size, sigma_x, sigma_y, theta, _beta(rng, ranges.beta_plateau))
    return gaussian(size, sigma_x, sigma_y, theta)


def _beta(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    # Half the draws below 1 and half above, as Real-ESRGAN does, so heavy tails are as common as flat tops.
    low, high = bounds
    return float(rng.uniform(low, 1.0)) if rng.random() < 0.5 and low < 1 else float(rng.uniform(max(1.0, low), high))


def random_final_sinc(rng: np.random.Generator, sizes: tuple[int, ...] = BlurRanges.sizes) -> np.ndarray:
    return sinc(int(rng.choice(sizes)), float(rng.uniform(math.pi / 3, math.pi)))
