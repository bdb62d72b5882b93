"""ember_audio.transforms: values against NumPy/SciPy computations of the definitions,
buffers and state dicts, gradients, and argument errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember_audio import functional as AF
from ember_audio import transforms as T

scipy_fft = pytest.importorskip("scipy.fft")


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def power_spec(x, n_fft, hop):
    """|rFFT|^2 of Hann-windowed, reflect-padded, centred frames: (..., n_fft//2+1, frames)."""
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(n_fft // 2, n_fft // 2)], mode="reflect")
    n_frames = 1 + (padded.shape[-1] - n_fft) // hop
    frames = np.stack([padded[..., t * hop : t * hop + n_fft] for t in range(n_frames)], -2)
    return np.swapaxes(np.abs(np.fft.rfft(frames * hann(n_fft), axis=-1)) ** 2, -1, -2)


def htk_mel_fb(n_freqs, n_mels, sr, f_min=0.0, f_max=None):
    f_max = sr / 2 if f_max is None else f_max
    to_mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    mels = np.linspace(to_mel(f_min), to_mel(f_max), n_mels + 2)
    edges = 700 * (10 ** (mels / 2595) - 1)
    freqs = np.linspace(0, sr // 2, n_freqs)[:, None]
    rise = (freqs - edges[None, :-2]) / (edges[1:-1] - edges[:-2])
    fall = (edges[None, 2:] - freqs) / (edges[2:] - edges[1:-1])
    return np.clip(np.minimum(rise, fall), 0, None)


def db_with_floor(x, top_db=80.0):
    """10 log10 of a batch of (freq, time) spectrograms, each floored at max - top_db."""
    db = 10 * np.log10(np.maximum(x, 1e-10))
    floor = db.reshape(db.shape[0], -1).max(-1) - top_db
    return np.maximum(db, floor[:, None, None])


@pytest.fixture
def waves():
    return np.random.default_rng(0).standard_normal((3, 1600))


def test_spectrogram_module_values_and_buffer(waves):
    spec = T.Spectrogram(n_fft=128, hop_length=32)
    out = spec(ember.tensor(waves, dtype=ember.float32))
    np.testing.assert_allclose(out.numpy(), power_spec(waves, 128, 32), rtol=2e-4, atol=2e-3)
    assert list(spec.state_dict()) == ["window"]
    np.testing.assert_allclose(spec.window.numpy(), hann(128), atol=1e-7)
    assert spec.hop_length == 32 and T.Spectrogram(n_fft=128).hop_length == 64
    complex_out = T.Spectrogram(n_fft=128, power=None)(ember.tensor(waves))
    assert complex_out.is_complex()
    assert repr(spec) == "Spectrogram()"


@pytest.mark.parametrize("n_mels", [40, 23])
def test_mel_spectrogram_matches_reference(waves, n_mels):
    mel = T.MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=80, n_mels=n_mels)
    out = mel(ember.tensor(waves).float()).numpy()
    ref = np.swapaxes(
        np.swapaxes(power_spec(waves, 256, 80), -1, -2) @ htk_mel_fb(129, n_mels, 8000), -1, -2
    )
    assert out.shape == (3, n_mels, 21)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-3)
    assert sorted(mel.state_dict()) == ["mel_scale.fb", "spectrogram.window"]


def test_mel_spectrogram_slaney_uses_slaney_filterbank(waves):
    mel = T.MelSpectrogram(
        8000, n_fft=256, hop_length=80, n_mels=30, norm="slaney", mel_scale="slaney"
    )
    fb = AF.melscale_fbanks(129, 0.0, 4000.0, 30, 8000, "slaney", "slaney").numpy()
    ref = np.swapaxes(np.swapaxes(power_spec(waves, 256, 80), -1, -2) @ fb, -1, -2)
    np.testing.assert_allclose(mel(ember.tensor(waves)).numpy(), ref, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("log_mels", [False, True])
def test_mfcc_matches_reference(waves, log_mels):
    melkwargs = {"n_fft": 256, "hop_length": 80, "n_mels": 32}
    mfcc = T.MFCC(sample_rate=8000, n_mfcc=13, log_mels=log_mels, melkwargs=melkwargs)
    out = mfcc(ember.tensor(waves, dtype=ember.float64)).numpy()
    mel = np.swapaxes(
        np.swapaxes(power_spec(waves, 256, 80), -1, -2) @ htk_mel_fb(129, 32, 8000), -1, -2
    )
    feats = np.log(mel + 1e-6) if log_mels else db_with_floor(mel)
    ref = scipy_fft.dct(feats, type=2, norm="ortho", axis=-2)[:, :13]
    assert out.shape == (3, 13, 21)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-3)
    assert sorted(mfcc.state_dict()) == [
        "MelSpectrogram.mel_scale.fb",
        "MelSpectrogram.spectrogram.window",
        "dct_mat",
    ]


def test_lfcc_matches_reference(waves):
    lfcc = T.LFCC(
        sample_rate=8000, n_filter=24, n_lfcc=10, speckwargs={"n_fft": 256, "hop_length": 80}
    )
    out = lfcc(ember.tensor(waves, dtype=ember.float64)).numpy()
    freqs = np.linspace(0, 4000, 129)[:, None]
    edges = np.linspace(0, 4000, 26)
    rise = (freqs - edges[None, :-2]) / (edges[1:-1] - edges[:-2])
    fall = (edges[None, 2:] - freqs) / (edges[2:] - edges[1:-1])
    fb = np.clip(np.minimum(rise, fall), 0, None)
    lin = np.swapaxes(np.swapaxes(power_spec(waves, 256, 80), -1, -2) @ fb, -1, -2)
    ref = scipy_fft.dct(db_with_floor(lin), type=2, norm="ortho", axis=-2)[:, :10]
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-3)
    assert sorted(lfcc.state_dict()) == ["Spectrogram.window", "dct_mat", "filter_mat"]


def test_amplitude_to_db_module():
    x = np.random.default_rng(1).uniform(0.01, 2.0, (2, 5, 6))
    power = T.AmplitudeToDB()(ember.tensor(x)).numpy()
    np.testing.assert_allclose(power, 10 * np.log10(x), rtol=1e-12)
    magnitude = T.AmplitudeToDB("magnitude", top_db=20.0)(ember.tensor(x)).numpy()
    ref = 20 * np.log10(x)
    np.testing.assert_allclose(magnitude, np.maximum(ref, ref.max() - 20.0), rtol=1e-12)
    with pytest.raises(ValueError, match="top_db must be a positive value"):
        T.AmplitudeToDB(top_db=-1.0)
    with pytest.raises(ValueError, match="stype"):
        T.AmplitudeToDB("energy")


def test_gradients_through_feature_transforms():
    x = ember.randn(1, 40, dtype=ember.float64, requires_grad=True)
    spec = T.Spectrogram(n_fft=16, hop_length=8).double()
    mel = T.MelSpectrogram(8000, n_fft=16, hop_length=8, n_mels=4).double()
    mfcc = T.MFCC(8000, n_mfcc=3, melkwargs={"n_fft": 16, "hop_length": 8, "n_mels": 4}).double()
    to_db = T.AmplitudeToDB(top_db=80.0)
    for module in (spec, mel, mfcc):
        assert ember.autograd.gradcheck(module, (x,))
    s = (ember.rand(2, 3, 4, dtype=ember.float64) + 0.1).requires_grad_(True)
    assert ember.autograd.gradcheck(to_db, (s,))


def test_resample_module_caches_kernel_and_matches_functional():
    x = ember.randn(2, 900)
    resampler = T.Resample(48000, 32000)
    assert list(resampler.state_dict()) == ["kernel"]
    assert resampler.kernel.dtype == ember.float32
    assert tuple(resampler.kernel.shape) == (2, 1, 2 * resampler.width + 3)
    out = resampler(x)
    assert tuple(out.shape) == (2, 600)
    np.testing.assert_allclose(out.numpy(), AF.resample(x, 48000, 32000).numpy(), atol=1e-6)
    precise = T.Resample(48000, 32000, dtype=ember.float64)
    assert precise.kernel.dtype == ember.float64
    x64 = x.double()
    np.testing.assert_allclose(
        precise(x64).numpy(), AF.resample(x64, 48000, 32000).numpy(), atol=1e-12
    )
    assert T.Resample(16000, 16000)(x) is x
    small = T.Resample(3, 2, lowpass_filter_width=2, dtype=ember.float64)
    xg = ember.randn(2, 12, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(small, (xg,))


def test_inverse_mel_scale_solves_the_filterbank_system():
    spec = ember.rand(2, 65, 7, dtype=ember.float64)
    mel_scale = T.MelScale(n_mels=20, sample_rate=8000, n_stft=65).double()
    mel = mel_scale(spec)
    estimate = T.InverseMelScale(n_stft=65, n_mels=20, sample_rate=8000)(mel)
    assert tuple(estimate.shape) == (2, 65, 7)
    assert float(estimate.min()) >= 0.0
    # the minimum-norm least-squares solution of fb^T S = mel, clipped at zero
    fb = mel_scale.fb.numpy()
    solution = np.linalg.pinv(fb.T) @ mel.numpy()
    np.testing.assert_allclose(estimate.numpy(), np.maximum(solution, 0.0), atol=1e-6)
    with pytest.raises(ValueError, match="driver"):
        T.InverseMelScale(n_stft=65, driver="qr")
    with pytest.raises(ValueError, match=r"\(\.\.\., 20, time\)"):
        T.InverseMelScale(n_stft=65, n_mels=20)(ember.rand(21, 4))


def test_griffinlim_and_inverse_spectrogram_modules():
    x = ember.randn(2, 800, dtype=ember.float64)
    spec = T.Spectrogram(n_fft=128, hop_length=32, power=None).double()(x)
    back = T.InverseSpectrogram(n_fft=128, hop_length=32).double()(spec, 800)
    np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-10)
    ember.manual_seed(0)
    gl = T.GriffinLim(n_fft=128, hop_length=32, n_iter=3, length=800).double()
    assert tuple(gl(spec.abs() ** 2).shape) == (2, 800)
    with pytest.raises(ValueError, match="momentum"):
        T.GriffinLim(momentum=1.5)


def test_mu_law_modules_round_trip():
    x = ember.linspace(-1, 1, 50)
    codes = T.MuLawEncoding(256)(x)
    assert codes.dtype == ember.int64
    back = T.MuLawDecoding(256)(codes)
    assert float((back - x).abs().max()) < 0.05


def test_masking_modules():
    spec = ember.rand(4, 2, 30, 40) + 1.0
    ember.manual_seed(0)
    freq = T.FrequencyMasking(freq_mask_param=10)(spec).numpy()
    masked_rows = (freq == 0).all(axis=-1)
    np.testing.assert_array_equal(
        masked_rows, np.broadcast_to(masked_rows[:1, :1], masked_rows.shape)
    )
    ember.manual_seed(0)
    time_iid = T.TimeMasking(time_mask_param=15, iid_masks=True)(spec, mask_value=-1.0).numpy()
    masked_cols = (time_iid == -1.0).all(axis=-2)
    assert masked_cols.sum(-1).max() < 15
    ember.manual_seed(0)
    again = T.TimeMasking(time_mask_param=15, iid_masks=True)(spec, mask_value=-1.0).numpy()
    np.testing.assert_array_equal(again, time_iid)
    with pytest.raises(ValueError, match="p must be between"):
        T.TimeMasking(5, p=2.0)


@pytest.mark.parametrize("zero_masking", [True, False])
def test_spec_augment(zero_masking):
    spec = ember.rand(3, 20, 50) + 1.0
    ember.manual_seed(3)
    out = T.SpecAugment(2, 10, 2, 5, zero_masking=zero_masking)(spec).numpy()
    fill = 0.0 if zero_masking else float(spec.mean())
    changed = out != spec.numpy()
    assert changed.any()
    np.testing.assert_allclose(out[changed], fill, rtol=1e-6)


def test_time_stretch():
    spec = T.Spectrogram(n_fft=64, hop_length=16, power=None)(ember.randn(2, 640))
    stretch = T.TimeStretch(hop_length=16, n_freq=33, fixed_rate=2.0)
    assert tuple(stretch(spec).shape) == (2, 33, 21)
    assert tuple(stretch(spec, 0.5).shape) == (2, 33, 82)
    assert tuple(stretch.phase_advance.shape) == (33, 1)
    np.testing.assert_allclose(float(stretch.phase_advance[-1, 0]), math.pi * 16, rtol=1e-6)
    with pytest.raises(ValueError, match="needs a rate"):
        T.TimeStretch(n_freq=33)(spec)


FADE_IN = {
    "linear": lambda f: f,
    "exponential": lambda f: 2 ** (f - 1) * f,
    "logarithmic": lambda f: np.log10(0.1 + f) + 1,
    "quarter_sine": lambda f: np.sin(f * np.pi / 2),
    "half_sine": lambda f: np.sin(f * np.pi - np.pi / 2) / 2 + 0.5,
}
FADE_OUT = {
    "linear": lambda f: 1 - f,
    "exponential": lambda f: 2 ** (-f) * (1 - f),
    "logarithmic": lambda f: np.log10(1.1 - f) + 1,
    "quarter_sine": lambda f: np.sin(f * np.pi / 2 + np.pi / 2),
    "half_sine": lambda f: np.sin(f * np.pi + np.pi / 2) / 2 + 0.5,
}


@pytest.mark.parametrize("shape", list(FADE_IN))
def test_fade(shape):
    x = np.random.default_rng(2).standard_normal((2, 100))
    out = T.Fade(fade_in_len=10, fade_out_len=20, fade_shape=shape)(ember.tensor(x)).numpy()
    envelope = np.ones(100)
    envelope[:10] = np.clip(FADE_IN[shape](np.linspace(0, 1, 10)), 0, 1)
    envelope[80:] *= np.clip(FADE_OUT[shape](np.linspace(0, 1, 20)), 0, 1)
    np.testing.assert_allclose(out, x * envelope, rtol=1e-12, atol=1e-12)
    assert envelope[0] <= 0.01 and envelope[-1] <= 0.01


def test_fade_errors():
    with pytest.raises(ValueError, match="fade_shape"):
        T.Fade(5, 5, "cosine")
    with pytest.raises(ValueError, match="must not exceed the waveform length"):
        T.Fade(50)(ember.ones(10))


def test_vol():
    x = ember.tensor([0.1, -0.2, 0.6], dtype=ember.float64)
    np.testing.assert_allclose(T.Vol(2.0)(x).numpy(), [0.2, -0.4, 1.0])
    np.testing.assert_allclose(T.Vol(6.0, "db")(x).numpy(), np.clip(x.numpy() * 10**0.3, -1, 1))
    np.testing.assert_allclose(T.Vol(4.0, "power")(x).numpy(), np.clip(x.numpy() * 2, -1, 1))
    with pytest.raises(ValueError, match="gain must be positive"):
        T.Vol(-1.0)
    with pytest.raises(ValueError, match="gain_type"):
        T.Vol(1.0, "loudness")


def test_speed_and_speed_perturbation():
    x = ember.randn(2, 1000)
    out, lengths = T.Speed(16000, 1.25)(x, ember.tensor([1000, 500]))
    assert tuple(out.shape) == (2, 800)
    np.testing.assert_array_equal(lengths.numpy(), [800, 400])
    perturb = T.SpeedPerturbation(16000, [0.5, 1.0, 2.0])
    lengths_seen = set()
    for seed in range(12):
        ember.manual_seed(seed)
        y, _ = perturb(x)
        ember.manual_seed(seed)
        y2, _ = perturb(x)
        assert y.shape == y2.shape
        lengths_seen.add(y.shape[-1])
    assert lengths_seen == {2000, 1000, 500}


def test_simple_modules():
    spec = ember.randn(2, 5, 12, dtype=ember.float64)
    np.testing.assert_allclose(
        T.ComputeDeltas(win_length=7)(spec).numpy(), AF.compute_deltas(spec, 7).numpy()
    )
    a, b = ember.randn(2, 10), ember.randn(2, 4)
    np.testing.assert_allclose(
        T.Convolve("same")(a, b).numpy(), T.FFTConvolve("same")(a, b).numpy(), atol=1e-5
    )
    x = 0.1 * ember.randn(2, 30, dtype=ember.float64)
    np.testing.assert_allclose(
        T.Deemphasis(0.9)(T.Preemphasis(0.9)(x)).numpy(), x.numpy(), atol=1e-12
    )
    noisy = T.AddNoise()(x, ember.randn(2, 30, dtype=ember.float64), ember.tensor([10.0, 10.0]))
    assert tuple(noisy.shape) == (2, 30)
    with pytest.raises(ValueError, match="Unrecognized mode"):
        T.Convolve("circular")
    with pytest.raises(ValueError, match="win_length"):
        T.ComputeDeltas(win_length=1)


def test_modules_move_buffers_with_to():
    mfcc = T.MFCC(8000, n_mfcc=5, melkwargs={"n_fft": 64, "n_mels": 10}).double()
    assert mfcc.dct_mat.dtype == ember.float64
    assert mfcc.MelSpectrogram.mel_scale.fb.dtype == ember.float64
    assert mfcc.MelSpectrogram.spectrogram.window.dtype == ember.float64
    out = mfcc(ember.randn(400, dtype=ember.float64))
    assert out.dtype == ember.float64 and out.device == ember.device("cpu")
    state = mfcc.state_dict()
    fresh = T.MFCC(8000, n_mfcc=5, melkwargs={"n_fft": 64, "n_mels": 10})
    fresh.load_state_dict(state)
    np.testing.assert_allclose(fresh.dct_mat.numpy(), state["dct_mat"].numpy(), rtol=1e-7)


def test_transform_argument_errors():
    with pytest.raises(ValueError, match="win_length <= n_fft"):
        T.Spectrogram(n_fft=64, win_length=128)
    with pytest.raises(ValueError, match="hop_length must be positive"):
        T.Spectrogram(n_fft=64, hop_length=0)
    with pytest.raises(ValueError, match="power must be positive"):
        T.Spectrogram(power=0.0)
    with pytest.raises(ValueError, match="f_min"):
        T.MelScale(f_min=9000.0, sample_rate=16000)
    with pytest.raises(ValueError, match=r"\(\.\.\., 201, time\)"):
        T.MelScale(n_mels=20)(ember.rand(2, 129, 10))
    with pytest.raises(ValueError, match="more MFCC coefficients"):
        T.MFCC(n_mfcc=50, melkwargs={"n_mels": 40})
    with pytest.raises(ValueError, match="DCT type"):
        T.MFCC(dct_type=3)
    with pytest.raises(ValueError, match="more LFCC coefficients"):
        T.LFCC(n_lfcc=100, speckwargs={"n_fft": 64})
    with pytest.raises(ValueError, match="must be integers"):
        T.Resample(44100, 5512.5)
    with pytest.raises(ValueError, match="factors must not be empty"):
        T.SpeedPerturbation(16000, [])


def test_transforms_keep_the_device(device):
    """Each transform runs where its input is and agrees with the CPU result."""
    x_cpu = 0.3 * ember.randn(2, 800)
    x = x_cpu.to(device)
    modules = [
        T.MelSpectrogram(8000, n_fft=128, hop_length=64, n_mels=20),
        T.MFCC(8000, n_mfcc=8, melkwargs={"n_fft": 128, "hop_length": 64, "n_mels": 20}),
        T.Resample(8000, 6000),
        T.Deemphasis(0.9),
        T.Fade(50, 50),
    ]
    for module in modules:
        expected = module(x_cpu)
        out = module.to(device)(x)
        assert out.device == x.device
        np.testing.assert_allclose(out.cpu().numpy(), expected.numpy(), rtol=1e-4, atol=1e-4)
    pitch = AF.detect_pitch_frequency(x, 8000)
    assert pitch.device == x.device
    ember.manual_seed(0)
    masked = T.SpecAugment(1, 5, 1, 5)(T.Spectrogram(n_fft=64).to(device)(x))
    assert masked.device == x.device
