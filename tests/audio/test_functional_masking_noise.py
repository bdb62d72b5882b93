"""mask_along_axis(_iid) and add_noise."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember_audio import functional as AF


def masked_band(mask_1d):
    """(start, width) of the single run of True in a 1D bool array."""
    idx = np.flatnonzero(mask_1d)
    if idx.size == 0:
        return 0, 0
    assert np.all(np.diff(idx) == 1), "the mask is one contiguous band"
    return idx[0], idx.size


@pytest.mark.parametrize("axis", [1, 2])
def test_mask_along_axis_one_band_shared_by_batch(axis):
    spec = ember.rand(3, 20, 30) + 1.0
    widths = []
    for seed in range(20):
        ember.manual_seed(seed)
        out = AF.mask_along_axis(spec, 8, 0.0, axis).numpy()
        assert out.shape == (3, 20, 30)
        masked = out == 0.0
        line = masked[0].any(axis=1 if axis == 1 else 0)
        start, width = masked_band(line)
        assert width < 8 and start + width <= spec.shape[axis]
        # the same band in every example, across the whole other axis
        for b in range(3):
            other = masked[b].all(axis=1 if axis == 1 else 0)
            np.testing.assert_array_equal(other, line)
        unmasked = ~masked
        np.testing.assert_array_equal(out[unmasked], spec.numpy()[unmasked])
        widths.append(width)
    assert len(set(widths)) > 2


def test_mask_along_axis_iid_independent_per_example():
    spec = ember.rand(6, 2, 10, 50) + 1.0
    ember.manual_seed(0)
    out = AF.mask_along_axis_iid(spec, 20, -1.0, 3).numpy()
    bands = set()
    for b in range(6):
        for c in range(2):
            masked = out[b, c] == -1.0
            cols = masked.all(axis=0)
            np.testing.assert_array_equal(masked.any(axis=0), cols)
            start, width = masked_band(cols)
            assert width < 20
            bands.add((start, width))
    assert len(bands) > 3


def test_masks_reproducible_with_seed():
    spec = ember.rand(4, 2, 16, 40)
    ember.manual_seed(123)
    a = AF.mask_along_axis_iid(spec, 10, 0.0, 2)
    b1 = AF.mask_along_axis(spec, 10, 0.0, 3)
    ember.manual_seed(123)
    np.testing.assert_array_equal(AF.mask_along_axis_iid(spec, 10, 0.0, 2).numpy(), a.numpy())
    np.testing.assert_array_equal(AF.mask_along_axis(spec, 10, 0.0, 3).numpy(), b1.numpy())


def test_mask_p_limits_width_and_tensor_mask_value():
    spec = ember.rand(8, 1, 10, 20) + 1.0
    for seed in range(10):
        ember.manual_seed(seed)
        out = AF.mask_along_axis_iid(spec, 15, ember.tensor(-5.0), 3, p=0.2).numpy()
        assert ((out == -5.0).all(axis=2).sum(-1) < 4).all()  # width < floor(20 * 0.2)
    single = spec[0]
    # floor(20 * 0.01) = 0: nothing may be masked, the input comes back as is
    assert AF.mask_along_axis(single, 15, 0.0, 2, p=0.01) is single


def test_mask_keeps_gradient():
    spec = ember.rand(2, 5, 8, dtype=ember.float64, requires_grad=True)
    ember.manual_seed(1)
    out = AF.mask_along_axis_iid(spec, 4, 0.0, 2)
    out.sum().backward()
    np.testing.assert_array_equal(spec.grad.numpy(), (out.detach().numpy() != 0.0).astype(float))


def test_mask_errors():
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        AF.mask_along_axis_iid(ember.rand(5, 8), 4, 0.0, 1)
    with pytest.raises(ValueError, match="only frequency and time masking"):
        AF.mask_along_axis(ember.rand(2, 5, 8), 4, 0.0, 0)
    with pytest.raises(ValueError, match="p must be between"):
        AF.mask_along_axis(ember.rand(5, 8), 4, 0.0, 1, p=1.5)


def test_add_noise_reaches_the_snr():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 400))
    n = rng.standard_normal((3, 400))
    snr = np.array([0.0, 10.0, 20.0])
    y = AF.add_noise(ember.tensor(x), ember.tensor(n), ember.tensor(snr)).numpy()
    added = y - x
    achieved = 10 * np.log10((x**2).sum(-1) / (added**2).sum(-1))
    np.testing.assert_allclose(achieved, snr, atol=1e-9)
    np.testing.assert_allclose(added / n, (added / n)[:, :1] * np.ones((1, 400)), rtol=1e-9)


def test_add_noise_lengths_and_gradient():
    x = ember.randn(2, 50, dtype=ember.float64, requires_grad=True)
    n = ember.randn(2, 50, dtype=ember.float64, requires_grad=True)
    snr = ember.tensor([5.0, 15.0], dtype=ember.float64, requires_grad=True)
    lengths = ember.tensor([30, 50])
    y = AF.add_noise(x, n, snr, lengths).detach().numpy()
    xa, na = x.detach().numpy(), n.detach().numpy()
    added = y - xa
    e_x = (xa[0, :30] ** 2).sum()
    e_n = (added[0, :30] ** 2).sum()
    np.testing.assert_allclose(10 * np.log10(e_x / e_n), 5.0, atol=1e-9)
    # the whole noise row is scaled (past the valid length too), by one factor
    np.testing.assert_allclose(added[0] / na[0], added[0, 0] / na[0, 0], rtol=1e-9)
    full_snr = 10 * np.log10((xa[1] ** 2).sum() / (added[1] ** 2).sum())
    np.testing.assert_allclose(full_snr, 15.0, atol=1e-9)
    assert ember.autograd.gradcheck(lambda a, b, s: AF.add_noise(a, b, s), (x, n, snr))


def test_add_noise_errors():
    with pytest.raises(ValueError, match="leading dimensions don't match"):
        AF.add_noise(ember.rand(2, 10), ember.rand(2, 10), ember.rand(2, 1))
    with pytest.raises(ValueError, match="length dimensions"):
        AF.add_noise(ember.rand(2, 10), ember.rand(2, 12), ember.rand(2))
