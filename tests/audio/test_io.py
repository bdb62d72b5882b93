"""ember_audio.load / save / info: round trips for every format and bit depth, errors."""

import io
import re

import numpy as np
import pytest
import soundfile as sf

import ember
from ember_audio import AudioMetaData, info, load, save

SR = 8000


def _signal(channels=2, frames=400, seed=0):
    """Float32 samples in [-1, 1 - 2**-7), so that every bit depth represents them unclipped."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0 - 2.0**-7, (channels, frames)).astype(np.float32)


# (format, encoding, bits_per_sample, expected bits, expected encoding in info)
PCM_CASES = [
    ("wav", None, 8, 8, "PCM_U"),
    ("wav", "PCM_U", None, 8, "PCM_U"),
    ("wav", "PCM_S", 16, 16, "PCM_S"),
    ("wav", None, 16, 16, "PCM_S"),
    ("wav", "PCM_S", 24, 24, "PCM_S"),
    ("wav", "PCM_S", 32, 32, "PCM_S"),
    ("wav", "PCM_S", None, 32, "PCM_S"),
    ("flac", None, 8, 8, "FLAC"),
    ("flac", None, 16, 16, "FLAC"),
    ("flac", None, None, 16, "FLAC"),
    ("flac", None, 24, 24, "FLAC"),
]


@pytest.mark.parametrize("fmt,encoding,bits,expected_bits,expected_encoding", PCM_CASES)
def test_integer_pcm_round_trip_within_half_a_step(
    tmp_path, fmt, encoding, bits, expected_bits, expected_encoding
):
    x = _signal()
    path = tmp_path / f"a.{fmt}"
    save(path, ember.tensor(x), SR, encoding=encoding, bits_per_sample=bits)
    y, sr = load(path)
    assert sr == SR and y.dtype == ember.float32 and tuple(y.shape) == x.shape
    step = 2.0 ** -(expected_bits - 1)
    # the quantised value is the nearest multiple of the step: error at most half a step
    err = np.abs(y.numpy().astype(np.float64) - x)
    assert err.max() <= step / 2 + 1e-7
    np.testing.assert_array_equal(y.numpy(), np.rint(x.astype(np.float64) / step) * step)
    assert info(path) == AudioMetaData(SR, 400, 2, expected_bits, expected_encoding)


@pytest.mark.parametrize(
    "encoding,bits,dtype,expected_bits",
    [
        (None, None, np.float32, 32),
        ("PCM_F", None, np.float32, 32),
        ("PCM_F", 64, np.float64, 64),
        (None, None, np.float64, 64),
        (None, 64, np.float32, 64),
    ],
)
def test_float_wav_is_exact(tmp_path, encoding, bits, dtype, expected_bits):
    x = _signal().astype(dtype) * 3  # float WAV keeps values beyond [-1, 1]
    path = tmp_path / "f.wav"
    save(path, ember.tensor(x), SR, encoding=encoding, bits_per_sample=bits)
    y, _ = load(path, normalize=False)
    assert y.dtype == (ember.float64 if expected_bits == 64 else ember.float32)
    np.testing.assert_array_equal(y.numpy(), x.astype(y.numpy().dtype))
    assert info(path).bits_per_sample == expected_bits
    assert info(path).encoding == "PCM_F"
    y, _ = load(path)  # normalize=True always gives float32
    assert y.dtype == ember.float32


@pytest.mark.parametrize(
    "dtype,expected_subtype", [(np.uint8, "PCM_U8"), (np.int16, "PCM_16"), (np.int32, "PCM_32")]
)
def test_integer_tensors_keep_their_values_and_type(tmp_path, dtype, expected_subtype):
    rng = np.random.default_rng(1)
    limits = np.iinfo(dtype)
    x = rng.integers(limits.min, limits.max, (2, 300), endpoint=True).astype(dtype)
    path = tmp_path / "i.wav"
    save(path, ember.tensor(x), SR)
    assert sf.info(str(path)).subtype == expected_subtype
    y, _ = load(path, normalize=False)
    assert y.numpy().dtype == dtype
    np.testing.assert_array_equal(y.numpy(), x)
    # normalised: the integer divided by 2**(bits-1), around the unsigned midpoint for uint8
    z, _ = load(path)
    if dtype == np.uint8:
        expected = (x.astype(np.float64) - 128) / 128
    else:
        expected = x.astype(np.float64) / 2.0 ** (8 * x.itemsize - 1)
    np.testing.assert_allclose(z.numpy(), expected, rtol=0, atol=1e-7)


def test_24_bit_unnormalized_is_int32_scaled_to_the_full_range(tmp_path):
    x = _signal(1, 50)
    path = tmp_path / "a.wav"
    save(path, ember.tensor(x), SR, encoding="PCM_S", bits_per_sample=24)
    y, _ = load(path, normalize=False)
    assert y.dtype == ember.int32
    expected = np.rint(x.astype(np.float64) * 2**23).astype(np.int64) * 256
    np.testing.assert_array_equal(y.numpy(), expected)


def test_float_beyond_full_scale_is_clipped_for_integer_pcm(tmp_path):
    x = np.array([[-3.0, -1.0, 0.0, 0.999, 1.0, 2.5]], np.float32)
    path = tmp_path / "c.wav"
    save(path, ember.tensor(x), SR, bits_per_sample=16)
    y, _ = load(path, normalize=False)
    np.testing.assert_array_equal(y.numpy(), [[-32768, -32768, 0, 32735, 32767, 32767]])


@pytest.mark.parametrize("encoding", ["ULAW", "ALAW"])
def test_companded_wav(tmp_path, encoding):
    t = np.arange(800) / SR
    x = (0.5 * np.sin(2 * np.pi * 440 * t))[None].astype(np.float32)
    path = tmp_path / "c.wav"
    save(path, ember.tensor(x), SR, encoding=encoding)
    assert info(path) == AudioMetaData(SR, 800, 1, 8, encoding)
    y, _ = load(path)
    # 8-bit companding: a relative error of a few percent, far better than 8-bit linear
    assert np.abs(y.numpy() - x).max() < 0.02


def test_ogg_vorbis_round_trip(tmp_path):
    t = np.arange(SR) / SR
    x = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)])
    path = tmp_path / "v.ogg"
    save(path, ember.tensor(x.astype(np.float32)), SR)
    meta = info(path)
    assert meta == AudioMetaData(SR, SR, 2, 0, "VORBIS")
    y, sr = load(path)
    assert sr == SR and y.dtype == ember.float32 and tuple(y.shape) == (2, SR)
    # lossy: compare the tones through their signal-to-error ratio
    for channel in range(2):
        snr = np.sum(x[channel] ** 2) / np.sum((y.numpy()[channel] - x[channel]) ** 2)
        assert snr > 100  # > 20 dB
    path2 = tmp_path / "v2.audio"
    save(path2, ember.tensor(x.astype(np.float32)), SR, format="vorbis")
    assert info(path2).encoding == "VORBIS"


@pytest.mark.parametrize(
    "offset,count", [(0, -1), (0, 10), (5, -1), (37, 100), (390, 100), (400, 5)]
)
def test_frame_offset_and_num_frames(tmp_path, offset, count):
    x = np.arange(2 * 400, dtype=np.int16).reshape(2, 400)
    path = tmp_path / "a.wav"
    save(path, ember.tensor(x), SR)
    y, _ = load(path, frame_offset=offset, num_frames=count, normalize=False)
    stop = None if count == -1 else offset + count
    np.testing.assert_array_equal(y.numpy(), x[:, offset:stop])


def test_channels_first_false_in_and_out(tmp_path):
    x = _signal(3, 64)
    path = tmp_path / "a.wav"
    save(path, ember.tensor(x.T.copy()), SR, channels_first=False, bits_per_sample=32)
    assert info(path).num_channels == 3 and info(path).num_frames == 64
    y, _ = load(path, channels_first=False)
    assert tuple(y.shape) == (64, 3)
    np.testing.assert_allclose(y.numpy(), x.T, atol=2**-31)


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg"])
def test_file_objects(fmt):
    x = _signal(1, 2000)
    buffer = io.BytesIO()
    save(buffer, ember.tensor(x), SR, format=fmt)
    buffer.seek(0)
    meta = info(buffer)
    assert (meta.sample_rate, meta.num_frames, meta.num_channels) == (SR, 2000, 1)
    buffer.seek(0)
    y, sr = load(buffer, frame_offset=100, num_frames=50)
    assert sr == SR and tuple(y.shape) == (1, 50)
    if fmt != "ogg":
        np.testing.assert_allclose(y.numpy(), x[:, 100:150], atol=2**-15)


def test_file_object_from_open(tmp_path):
    x = (np.arange(100, dtype=np.int16) * 7).reshape(1, 100)
    path = tmp_path / "a.wav"
    with open(path, "wb") as f:
        save(f, ember.tensor(x), SR, format="wav")
    with open(path, "rb") as f:
        y, _ = load(f, normalize=False)
    np.testing.assert_array_equal(y.numpy(), x)


def test_metadata_repr_matches_torchaudio():
    meta = AudioMetaData(16000, 10, 1, 16, "PCM_S")
    assert repr(meta) == (
        "AudioMetaData(sample_rate=16000, num_frames=10, num_channels=1, bits_per_sample=16, "
        "encoding=PCM_S)"
    )


# ----------------------------------------------------------------------------- errors


def test_missing_file_names_it(tmp_path):
    path = tmp_path / "nope.wav"
    with pytest.raises(FileNotFoundError, match=r"nope\.wav"):
        load(path)
    with pytest.raises(FileNotFoundError, match=r"nope\.wav"):
        info(str(path))


@pytest.mark.parametrize(
    "name,content",
    [
        ("broken.wav", b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk" + bytes(range(64))),
        ("broken.flac", b"fLaC" + bytes(100)),
        ("broken.ogg", b"OggS" + bytes(60)),
    ],
)
def test_corrupt_file_names_it(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RuntimeError, match=re.escape(name)):
        load(path)
    with pytest.raises(RuntimeError, match=re.escape(name)):
        info(path)


def test_unsupported_file_names_it(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not audio\n" * 20)
    with pytest.raises(RuntimeError, match=r"notes\.txt.*unsupported or corrupt"):
        load(path)


def test_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="directory"):
        load(tmp_path)


def test_save_unsupported_format_names_file(tmp_path):
    with pytest.raises(ValueError, match=r"'mp4'.*clip\.mp4"):
        save(tmp_path / "clip.mp4", ember.zeros(1, 10), SR)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"format": "wav", "encoding": "PCM_S", "bits_per_sample": 8}, "8-bit signed"),
        ({"format": "wav", "encoding": "PCM_U", "bits_per_sample": 16}, "8-bit unsigned"),
        ({"format": "wav", "encoding": "PCM_F", "bits_per_sample": 16}, "32/64-bit float"),
        ({"format": "wav", "encoding": "ULAW", "bits_per_sample": 16}, "8-bit ULAW"),
        ({"format": "wav", "encoding": "GSM"}, "'GSM'"),
        ({"format": "flac", "encoding": "PCM_S"}, "flac does not support encoding"),
        ({"format": "flac", "bits_per_sample": 32}, "bits_per_sample > 24"),
        ({"format": "ogg", "bits_per_sample": 16}, "ogg/vorbis does not support bits_per_sample"),
        ({"format": "wav", "bits_per_sample": 12}, "invalid bits_per_sample 12"),
    ],
)
def test_save_rejects_bad_encodings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        save(io.BytesIO(), ember.zeros(1, 10), SR, **kwargs)


def test_save_rejects_bad_shapes_and_dtypes():
    with pytest.raises(ValueError, match=r"2D Tensor.*1D with shape \(10,\)"):
        save(io.BytesIO(), ember.zeros(10), SR, format="wav")
    with pytest.raises(ValueError, match="unsupported dtype for wav: int64"):
        save(io.BytesIO(), ember.zeros(1, 10, dtype=ember.int64), SR, format="wav")
    with pytest.raises(RuntimeError, match="format"):
        save(io.BytesIO(), ember.zeros(1, 10), SR)


def test_save_into_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        save(tmp_path / "missing" / "a.wav", ember.zeros(1, 10), SR)


def test_load_argument_checks(tmp_path):
    path = tmp_path / "a.wav"
    save(path, ember.zeros(1, 10), SR)
    with pytest.raises(ValueError, match="frame_offset"):
        load(path, frame_offset=-1)
    with pytest.raises(ValueError, match="num_frames"):
        load(path, num_frames=-2)
    with pytest.raises(ValueError, match="backend 'sox'"):
        load(path, backend="sox")


def test_save_accepts_tensors_that_require_grad(tmp_path):
    x = ember.rand(1, 20, requires_grad=True)
    path = tmp_path / "g.wav"
    save(path, x * 0.5, SR)
    y, _ = load(path)
    np.testing.assert_allclose(y.numpy(), x.detach().numpy() * 0.5, atol=1e-7)


def test_import_is_lazy():
    import subprocess
    import sys

    code = (
        "import sys, ember_audio\n"
        "assert 'soundfile' not in sys.modules\n"
        "assert ember_audio.load is ember_audio.io.load\n"
        "assert 'soundfile' not in sys.modules\n"
        "from ember_audio import AudioMetaData, info, save\n"
        "assert ember_audio.datasets.YESNO and ember_audio.models.M5\n"
        "assert 'soundfile' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
