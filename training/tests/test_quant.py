import torch

from enhance_training.arch import RRDBNet
from enhance_training.quant import activation_params, calibrate, fake_quant, int8_forward, quantise_weight


def small_net(seed: int = 0) -> RRDBNet:
    torch.manual_seed(seed)
    net = RRDBNet(nf=8, nb=1, gc=4).eval()
    with torch.no_grad():
        net.conv_last.bias.fill_(0.5)
    return net


def test_activations_round_half_to_even_and_saturate_at_the_range():
    scale, zero = activation_params(-1.0, 3.0)
    assert zero == 64 and abs(scale - 4 / 255) < 1e-9
    x = torch.tensor([0.0, 3.0, 5.0, -2.0, 2.5 * scale, 3.5 * scale])
    y = fake_quant(x, (-1.0, 3.0))
    lowest = (0 - 64) * scale
    assert torch.allclose(y, torch.tensor([0.0, 191 * scale, 191 * scale, lowest, 2 * scale, 4 * scale]))


def test_weights_are_int8_per_output_channel_rounded_half_away_from_zero_like_javascript():
    w = torch.tensor([0.5, -0.26, 0.1, 0.0, -0.02, 0.01, 0.004, 0.0]).reshape(2, 4, 1, 1)
    values, scales = quantise_weight(w)
    assert values.flatten().tolist() == [127, -66, 25, 0, -127, 64, 25, 0]
    assert torch.allclose(scales, torch.tensor([0.5 / 127, 0.02 / 127]))


def test_seven_bit_weights_put_the_largest_at_63():
    w = torch.tensor([0.5, -0.26, 0.1, 0.0, -0.02, 0.011, 0.004, 0.0]).reshape(2, 4, 1, 1)
    values, scales = quantise_weight(w, levels=63)
    assert values.flatten().tolist() == [63, -33, 13, 0, -63, 35, 13, 0]
    assert torch.allclose(scales, torch.tensor([0.5 / 63, 0.02 / 63]))


@torch.no_grad()
def test_without_ranges_the_mirror_is_the_network():
    net = small_net()
    x = torch.rand(1, 3, 10, 12)
    assert torch.allclose(int8_forward(net, x, {}), net(x), atol=1e-6)


@torch.no_grad()
def test_calibrated_int8_is_close_to_float_and_lands_on_8_bit_steps():
    net = small_net()
    ranges = calibrate(net, [torch.rand(1, 3, 16, 16) for _ in range(3)])
    assert "body.0.rdb1.conv1:in" in ranges and "conv_up1:act" in ranges and "conv_hr:act" in ranges
    assert not any(k.startswith(("conv_first", "conv_body")) for k in ranges)
    assert ranges["conv_last:out"] == (0.0, 1.0)
    x = torch.rand(1, 3, 16, 16)
    exact, quantised = net(x).clamp(0, 1), int8_forward(net, x, ranges)
    steps = quantised * 255
    assert torch.allclose(steps, steps.round(), atol=1e-3) and quantised.min() >= 0 and quantised.max() <= 1
    difference = (quantised - exact).abs().mean() * 255
    assert 0 < difference < 3


def test_straight_through_keeps_the_int8_values_and_passes_gradients():
    net = small_net()
    x = torch.rand(1, 3, 12, 12)
    with torch.no_grad():
        ranges = calibrate(net, [x])
        plain = int8_forward(net, x, ranges)
    trained = int8_forward(net, x, ranges, ste=True)
    assert torch.equal(trained.detach(), plain)
    trained.mean().backward()
    assert net.conv_first.weight.grad.abs().sum() > 0 and net.body[0].rdb1.conv1.weight.grad.abs().sum() > 0
