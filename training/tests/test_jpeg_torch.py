import io

import numpy as np
import pytest
import torch
from PIL import Image

from enhance_training.degradations import jpeg, to_uint8
from enhance_training.jpeg_torch import _CHROMA_BASE, _LUMA_BASE, jpeg_torch, quant_table


def photo_like(h: int = 61, w: int = 77, seed: int = 0) -> torch.Tensor:
    """Smooth colour gradients, hard edges and fine noise: what JPEG handles well and badly, at an odd size."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([np.sin(xx / 7), np.cos(yy / 5), np.sin((xx + yy) / 11)]) * 0.3 + 0.5
    img[:, h // 3 : h // 2, :] += 0.25 * (np.arange(w) % 6 < 3)  # stripes with sharp edges
    img[1, :, w // 2 :] -= 0.3  # a colour edge, where 4:2:0 chroma shows
    img += rng.normal(0, 0.03, img.shape)
    return torch.from_numpy(img).float().clamp(0, 1)[None]


def pillow_tables(quality: int) -> dict[int, list[int]]:
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).quantization


@pytest.mark.parametrize("quality", [10, 30, 50, 55, 75, 95, 100])
def test_quantisation_tables_are_the_ones_pillow_writes(quality):
    tables = pillow_tables(quality)
    assert quant_table(_LUMA_BASE, quality).flatten().int().tolist() == list(tables[0])
    assert quant_table(_CHROMA_BASE, quality).flatten().int().tolist() == list(tables[1])


@pytest.mark.parametrize("quality", [1, 30, 55, 75, 95, 100])
@pytest.mark.parametrize("size", [(61, 77), (96, 96), (4, 4), (5, 7), (9, 3), (1, 1), (17, 33)])
def test_the_round_trip_is_libjpegs_to_the_bit(quality, size):
    # Odd sizes and tiny ones too: libjpeg pads rows, columns and chroma each its own way, and upsamples chroma
    # no more than 2 samples wide by repetition instead of its triangle filter.
    img = photo_like(*size, seed=quality)
    ours = to_uint8(jpeg_torch(img, [quality]))
    assert torch.equal(ours, to_uint8(jpeg(img, [quality])))
    if quality < 100 and min(size) > 8:
        assert not torch.equal(ours, to_uint8(img))


def test_each_image_gets_its_own_quality_and_lower_quality_loses_more():
    a, b = photo_like(seed=1), photo_like(seed=2)
    batch = jpeg_torch(torch.cat([a, b]), [30, 90])
    assert torch.equal(batch[0:1], jpeg_torch(a, [30]))
    assert torch.equal(batch[1:2], jpeg_torch(b, [90]))
    error = lambda q: (jpeg_torch(a, [q]) - a).abs().mean().item()
    assert error(30) > error(60) > error(95) > 0


def test_output_is_decoded_8_bit_levels_of_the_input_size():
    img = photo_like(13, 29)
    out = jpeg_torch(img, [50])
    assert out.shape == img.shape
    assert torch.equal(out * 255, (out * 255).round())
    assert 0 <= out.min().item() and out.max().item() <= 1
