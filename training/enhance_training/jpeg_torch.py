"""Baseline JPEG's lossy path in PyTorch, batched, on whatever device the batch is on.

libjpeg's round trip in libjpeg's own integer arithmetic: `jccolor.c` (YCbCr in 16-bit fixed point),
`jcsample.c` (4:2:0 chroma by 2×2 sums with alternating rounding), edges replicated to whole blocks as the
compressor pads them, `jfdctint.c` and `jidctint.c` (the "islow" DCT), `jcparam.c` (the standard tables scaled
by quality), `jdsample.c` (triangular "fancy" chroma upsampling) and `jdcolor.c`. What it leaves out, Huffman
coding, is lossless. Pillow's encoder is the reference (the tests hold this to it); this path exists so that a
GPU run degrades its batches without a round trip through the CPU for every JPEG.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .degradations import to_uint8

_LUMA_BASE = [
    [16, 11, 10, 16, 24, 40, 51, 61],
    [12, 12, 14, 19, 26, 58, 60, 55],
    [14, 13, 16, 24, 40, 57, 69, 56],
    [14, 17, 22, 29, 51, 87, 80, 62],
    [18, 22, 37, 56, 68, 109, 103, 77],
    [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101],
    [72, 92, 95, 98, 112, 100, 103, 99],
]
_CHROMA_BASE = [
    [17, 18, 24, 47, 99, 99, 99, 99],
    [18, 21, 26, 66, 99, 99, 99, 99],
    [24, 26, 56, 99, 99, 99, 99, 99],
    [47, 66, 99, 99, 99, 99, 99, 99],
] + [[99] * 8] * 4

# The islow DCT (Loeffler, Ligtenberg and Moschytz): 13-bit fixed-point constants, 2 extra bits between the
# passes; coefficients come out 8× the orthonormal ones.
_CONST_BITS, _PASS1_BITS = 13, 2
_FIX_0_298631336, _FIX_0_390180644, _FIX_0_541196100, _FIX_0_765366865 = 2446, 3196, 4433, 6270
_FIX_0_899976223, _FIX_1_175875602, _FIX_1_501321110, _FIX_1_847759065 = 7373, 9633, 12299, 15137
_FIX_1_961570560, _FIX_2_053119869, _FIX_2_562915447, _FIX_3_072711026 = 16069, 16819, 20995, 25172


def quant_table(base: list[list[int]], quality: int) -> torch.Tensor:
    """libjpeg's `jpeg_quality_scaling` and `jpeg_add_quant_table` with baseline (≤ 255) entries."""
    quality = min(100, max(1, int(quality)))
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return ((torch.tensor(base, dtype=torch.long) * scale + 50) // 100).clamp(1, 255)


def _descale(x: torch.Tensor, bits: int) -> torch.Tensor:
    return (x + (1 << (bits - 1))) >> bits


def _odd_part(t4: torch.Tensor, t5: torch.Tensor, t6: torch.Tensor, t7: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The rotations both DCTs share (LL&M figure 8), before descaling."""
    z5 = (t4 + t5 + t6 + t7) * _FIX_1_175875602
    z1 = (t4 + t7) * -_FIX_0_899976223
    z2 = (t5 + t6) * -_FIX_2_562915447
    z3 = (t4 + t6) * -_FIX_1_961570560 + z5
    z4 = (t5 + t7) * -_FIX_0_390180644 + z5
    return (
        t4 * _FIX_0_298631336 + z1 + z3,
        t5 * _FIX_2_053119869 + z2 + z4,
        t6 * _FIX_3_072711026 + z2 + z3,
        t7 * _FIX_1_501321110 + z1 + z4,
    )


def _forward_pass(x: torch.Tensor, dim: int, first: bool) -> torch.Tensor:
    d = x.unbind(dim)
    t0, t1, t2, t3 = (d[i] + d[7 - i] for i in range(4))
    t7, t6, t5, t4 = (d[i] - d[7 - i] for i in range(4))
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    bits = _CONST_BITS - _PASS1_BITS if first else _CONST_BITS + _PASS1_BITS
    even = (lambda v: v << _PASS1_BITS) if first else (lambda v: _descale(v, _PASS1_BITS))
    z1 = (t12 + t13) * _FIX_0_541196100
    o7, o5, o3, o1 = (_descale(v, bits) for v in _odd_part(t4, t5, t6, t7))
    return torch.stack(
        [even(t10 + t11), o1, _descale(z1 + t13 * _FIX_0_765366865, bits), o3,
         even(t10 - t11), o5, _descale(z1 - t12 * _FIX_1_847759065, bits), o7],
        dim,
    )


def _inverse_pass(x: torch.Tensor, dim: int, first: bool) -> torch.Tensor:
    d = x.unbind(dim)
    z1 = (d[2] + d[6]) * _FIX_0_541196100
    t2, t3 = z1 - d[6] * _FIX_1_847759065, z1 + d[2] * _FIX_0_765366865
    t0, t1 = (d[0] + d[4]) << _CONST_BITS, (d[0] - d[4]) << _CONST_BITS
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    o0, o1, o2, o3 = _odd_part(d[7], d[5], d[3], d[1])
    # The second pass also removes the DCT's factor of 8.
    bits = _CONST_BITS - _PASS1_BITS if first else _CONST_BITS + _PASS1_BITS + 3
    out = [t10 + o3, t11 + o2, t12 + o1, t13 + o0, t13 - o0, t12 - o1, t11 - o2, t10 - o3]
    return torch.stack([_descale(v, bits) for v in out], dim)


def _rgb_to_ycbcr(rgb: torch.Tensor) -> torch.Tensor:
    """jccolor.c's 16-bit fixed point; chroma rounds with ONE_HALF - 1, so 255 cannot overflow."""
    r, g, b = rgb.long().unbind(1)
    y = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16
    cb = (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 32767) >> 16
    cr = (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 32767) >> 16
    return torch.stack([y, cb, cr], 1).float()


def _ycbcr_to_rgb(y: torch.Tensor, cbcr: torch.Tensor) -> torch.Tensor:
    """jdcolor.c's tables: R's and B's offsets rounded each, G's two products summed before rounding."""
    luma, (cb, cr) = y.long()[:, 0], (cbcr.long() - 128).unbind(1)
    r = luma + ((91881 * cr + 32768) >> 16)
    g = luma + ((-22554 * cb - 46802 * cr + 32768) >> 16)
    b = luma + ((116130 * cb + 32768) >> 16)
    return torch.stack([r, g, b], 1).clamp(0, 255).float()


def _downsample(chroma: torch.Tensor) -> torch.Tensor:
    """libjpeg's h2v2 downsampling: 2×2 sums with a rounding bias alternating 1, 2 along each row."""
    sums = F.avg_pool2d(chroma, 2) * 4
    bias = 1 + torch.arange(sums.shape[-1], device=chroma.device) % 2
    return torch.floor((sums + bias) / 4)


def _code_plane(plane: torch.Tensor, tables: torch.Tensor) -> torch.Tensor:
    """B×C×H×W samples (H, W multiples of 8) through level shift, DCT, quantisation and back; B×8×8 tables.
    The forward DCT runs rows first and the inverse columns first, as libjpeg's passes do."""
    b, c, h, w = plane.shape
    blocks = (plane.long() - 128).reshape(b, c, h // 8, 8, w // 8, 8).permute(0, 1, 2, 4, 3, 5)
    coefficients = _forward_pass(_forward_pass(blocks, -1, True), -2, False)
    table = tables.to(plane.device).view(b, 1, 1, 1, 8, 8)
    divisors = table << 3  # the islow coefficients are 8× too large
    quantised = torch.sign(coefficients) * ((coefficients.abs() + (divisors >> 1)) // divisors)
    restored = _inverse_pass(_inverse_pass(quantised * table, -2, True), -1, False)
    return (restored + 128).clamp(0, 255).permute(0, 1, 2, 4, 3, 5).reshape(b, c, h, w).float()


def _fancy_upsample(chroma: torch.Tensor) -> torch.Tensor:
    """libjpeg's h2v2 triangular upsampling, integer sums and rounding biases included."""
    padded = F.pad(chroma, [0, 0, 1, 1], mode="replicate")
    near = padded[:, :, 1:-1]
    rows = torch.stack([3 * near + padded[:, :, :-2], 3 * near + padded[:, :, 2:]], 3).flatten(2, 3)
    padded = F.pad(rows, [1, 1, 0, 0], mode="replicate")
    near = padded[..., 1:-1]
    left = torch.floor((3 * near + padded[..., :-2] + 8) / 16)
    right = torch.floor((3 * near + padded[..., 2:] + 7) / 16)
    return torch.stack([left, right], -1).flatten(-2)


def jpeg_torch(img: torch.Tensor, qualities: list[int]) -> torch.Tensor:
    """Each image of B×3×H×W in [0, 1] saved as a 4:2:0 JPEG at its quality and decoded, on img's device."""
    b, _, h, w = img.shape
    rgb = to_uint8(img).float()
    # libjpeg pads as it goes: columns at full resolution to whole chroma blocks, rows to the 2×2 grid, then each
    # plane's rows to whole blocks (so chroma repeats its own last row, not the photo's).
    ycc = _rgb_to_ycbcr(F.pad(rgb, [0, -w % 16, 0, h % 2], mode="replicate"))
    luma = F.pad(ycc[:, :1], [0, 0, 0, -ycc.shape[2] % 16], mode="replicate")
    chroma = _downsample(ycc[:, 1:])
    chroma = F.pad(chroma, [0, 0, 0, -chroma.shape[2] % 8], mode="replicate")
    luma = _code_plane(luma, torch.stack([quant_table(_LUMA_BASE, q) for q in qualities]))
    chroma = _code_plane(chroma, torch.stack([quant_table(_CHROMA_BASE, q) for q in qualities]))
    chroma = chroma[:, :, : (h + 1) // 2, : (w + 1) // 2]
    # libjpeg upsamples fancily only chroma wider than 2 samples; narrower, it repeats each sample.
    upsampled = _fancy_upsample(chroma) if chroma.shape[-1] > 2 else chroma.repeat_interleave(2, 2).repeat_interleave(2, 3)
    return _ycbcr_to_rgb(luma[:, :, :h, :w], upsampled[:, :, :h, :w]) / 255
