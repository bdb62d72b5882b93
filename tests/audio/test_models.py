"""ember_audio.models: M5, Wav2Letter, Conformer and the CTC greedy decoder."""

import numpy as np
import pytest

import ember
from ember import nn
from ember_audio.models import M5, Conformer, GreedyCTCDecoder, Wav2Letter, ctc_greedy_decode


def _num_params(model):
    return sum(p.numel() for p in model.parameters())


def _conv(c_in, c_out, k, groups=1, bias=True):
    return c_out * (c_in // groups) * k + (c_out if bias else 0)


# ---------------------------------------------------------------------------------- M5


def test_m5_parameter_count_matches_the_tutorials():
    # torchaudio's speech-command tutorial prints "Number of parameters: 26915" for M5(35)
    assert _num_params(M5(n_input=1, n_output=35)) == 26915
    c = 8
    expected = (
        _conv(2, c, 80)
        + _conv(c, c, 3)
        + _conv(c, 2 * c, 3)
        + _conv(2 * c, 2 * c, 3)
        + 2 * (c + c + 2 * c + 2 * c)  # batch-norm weights and biases
        + 2 * c * 5
        + 5
    )
    assert _num_params(M5(n_input=2, n_output=5, n_channel=c)) == expected


def test_m5_output_and_state_dict():
    model = M5(n_output=7, stride=8, n_channel=4)
    out = model(ember.randn(3, 1, 4000))
    assert tuple(out.shape) == (3, 1, 7)
    # log-probabilities
    np.testing.assert_allclose(np.exp(out.detach().numpy()).sum(-1), 1.0, rtol=1e-5)
    keys = set(model.state_dict())
    for i in range(1, 5):
        assert {
            f"conv{i}.weight",
            f"conv{i}.bias",
            f"bn{i}.running_mean",
            f"bn{i}.num_batches_tracked",
        } <= keys
    assert {"fc1.weight", "fc1.bias"} <= keys


def test_m5_backward_and_learning_step():
    ember.manual_seed(0)
    model = M5(n_output=3, stride=8, n_channel=4)
    x = ember.randn(6, 1, 4000)
    target = ember.tensor([0, 1, 2, 0, 1, 2])
    optimizer = ember.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = nn.functional.nll_loss(model(x).squeeze(1), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(p.grad is not None for p in model.parameters())
    assert losses[-1] < 0.5 * losses[0]


# --------------------------------------------------------------------------- Wav2Letter


def _wav2letter_count(num_classes, first_in, waveform_in=None):
    total = _conv(first_in, 250, 48) + 7 * _conv(250, 250, 7)
    total += _conv(250, 2000, 32) + _conv(2000, 2000, 1) + _conv(2000, num_classes, 1)
    if waveform_in is not None:
        total += _conv(waveform_in, 250, 250)
    return total


@pytest.fixture(scope="module")
def wav2letter():
    return Wav2Letter()  # the defaults: 40 classes from raw waveforms


@pytest.fixture(scope="module")
def wav2letter_mfcc():
    return Wav2Letter(num_classes=29, input_type="mfcc", num_features=13)


def test_wav2letter_parameter_counts(wav2letter, wav2letter_mfcc):
    assert _num_params(wav2letter) == _wav2letter_count(40, 250, waveform_in=1) == 26211290
    assert _num_params(wav2letter_mfcc) == _wav2letter_count(29, 13)


def test_wav2letter_state_dict_keys_follow_torchaudio(wav2letter, wav2letter_mfcc):
    expected = ["acoustic_model.0.0.weight", "acoustic_model.0.0.bias"]
    for index in range(0, 22, 2):
        expected += [f"acoustic_model.1.{index}.weight", f"acoustic_model.1.{index}.bias"]
    assert list(wav2letter.state_dict()) == expected
    feature_keys = list(wav2letter_mfcc.state_dict())
    assert feature_keys == [k.replace("acoustic_model.1.", "acoustic_model.") for k in expected[2:]]


def test_wav2letter_output_shapes(wav2letter, wav2letter_mfcc):
    out = wav2letter(ember.randn(2, 1, 3200))
    # front end: floor((3200 + 90 - 250) / 160) + 1 = 20 frames; stride 2 then: 11 frames
    assert tuple(out.shape) == (2, 40, 11)
    np.testing.assert_allclose(np.exp(out.detach().numpy()).sum(1), 1.0, rtol=1e-5)
    assert tuple(wav2letter_mfcc(ember.randn(1, 13, 40)).shape) == (1, 29, 21)


def test_wav2letter_rejects_unknown_input_type():
    with pytest.raises(ValueError, match=r"input_type.*'spectrogram'"):
        Wav2Letter(input_type="spectrogram")


# ---------------------------------------------------------------------------- Conformer


def _conformer_layer_count(d, f, k):
    ffn = 2 * d + d * f + f + f * d + d
    attention = 2 * d + 3 * d * d + 3 * d + d * d + d
    conv = 2 * d + _conv(d, 2 * d, 1) + _conv(d, d, k, groups=d) + 2 * d + _conv(d, d, 1)
    return 2 * ffn + attention + conv + 2 * d


@pytest.mark.parametrize("use_group_norm", [False, True])
def test_conformer_parameter_count(use_group_norm):
    model = Conformer(16, 4, 24, 3, 5, use_group_norm=use_group_norm)
    assert _num_params(model) == 3 * _conformer_layer_count(16, 24, 5)


def test_conformer_state_dict_keys_follow_torchaudio():
    keys = set(Conformer(8, 2, 16, 2, 3).state_dict())
    prefix = "conformer_layers.1."
    expected = {
        "ffn1.sequential.0.weight",
        "ffn1.sequential.1.weight",
        "ffn1.sequential.1.bias",
        "ffn1.sequential.4.weight",
        "ffn2.sequential.4.bias",
        "self_attn_layer_norm.weight",
        "self_attn.in_proj_weight",
        "self_attn.in_proj_bias",
        "self_attn.out_proj.weight",
        "self_attn.out_proj.bias",
        "conv_module.layer_norm.weight",
        "conv_module.sequential.0.weight",
        "conv_module.sequential.0.bias",
        "conv_module.sequential.2.weight",
        "conv_module.sequential.3.weight",
        "conv_module.sequential.3.running_mean",
        "conv_module.sequential.3.running_var",
        "conv_module.sequential.3.num_batches_tracked",
        "conv_module.sequential.5.weight",
        "final_layer_norm.bias",
    }
    assert {prefix + k for k in expected} <= keys
    assert len(keys) == 2 * len({k.split(".", 2)[2] for k in keys if k.startswith(prefix)})
    gn_keys = set(Conformer(8, 2, 16, 1, 3, use_group_norm=True).state_dict())
    assert "conformer_layers.0.conv_module.sequential.3.running_mean" not in gn_keys
    assert "conformer_layers.0.conv_module.sequential.3.weight" in gn_keys


@pytest.mark.parametrize("convolution_first", [False, True])
def test_conformer_shapes_and_lengths(convolution_first):
    model = Conformer(12, 3, 20, 2, 7, convolution_first=convolution_first)
    lengths = ember.tensor([9, 5, 7])
    out, out_lengths = model(ember.randn(3, 9, 12), lengths)
    assert tuple(out.shape) == (3, 9, 12)
    assert out_lengths.tolist() == [9, 5, 7]
    # the final LayerNorm: zero mean and unit variance over the features of every frame
    values = out.detach().numpy()
    np.testing.assert_allclose(values.mean(-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(values.var(-1), 1.0, rtol=1e-3)


def test_conformer_masks_padded_frames_out_of_attention():
    # With a 1-frame depthwise kernel nothing but attention mixes frames, so the valid frames
    # of a padded sequence must come out as they do for the sequence alone.
    ember.manual_seed(0)
    model = Conformer(8, 2, 16, 2, 1).eval()
    short = ember.randn(1, 4, 8)
    padded = ember.cat([short, 100 * ember.randn(1, 3, 8)], dim=1)
    batch = ember.cat([padded, ember.randn(1, 7, 8)], dim=0)
    alone, _ = model(short, ember.tensor([4]))
    together, _ = model(batch, ember.tensor([4, 7]))
    np.testing.assert_allclose(
        together.detach().numpy()[0, :4], alone.detach().numpy()[0], rtol=1e-4, atol=1e-5
    )


def test_conformer_backward():
    model = Conformer(8, 2, 16, 1, 3, dropout=0.1)
    x = ember.randn(2, 5, 8, requires_grad=True)
    out, _ = model(x, ember.tensor([5, 3]))
    (out**2).sum().backward()
    assert x.grad is not None and tuple(x.grad.shape) == (2, 5, 8)
    assert all(p.grad is not None for p in model.parameters())


def test_conformer_errors():
    with pytest.raises(ValueError, match="odd"):
        Conformer(8, 2, 16, 1, 4)
    model = Conformer(8, 2, 16, 1, 3)
    with pytest.raises(ValueError, match=r"max\(lengths\) = 4"):
        model(ember.randn(2, 5, 8), ember.tensor([4, 3]))
    with pytest.raises(ValueError, match=r"lengths must have shape \(2,\)"):
        model(ember.randn(2, 5, 8), ember.tensor([5]))


# -------------------------------------------------------------------------- CTC decoder


def _one_hot(path, num_classes, noise_seed=None):
    """Emissions whose per-frame argmax follows ``path`` (optionally with small noise)."""
    scores = np.full((len(path), num_classes), -5.0, np.float32)
    scores[np.arange(len(path)), path] = 0.0
    if noise_seed is not None:
        scores += np.random.default_rng(noise_seed).uniform(0, 1, scores.shape).astype(np.float32)
    return ember.tensor(scores)


@pytest.mark.parametrize(
    "path,blank,expected",
    [
        ([1, 1, 0, 2, 2, 0, 2], 0, [1, 2, 2]),  # a blank separates a repeated label
        ([0, 0, 0], 0, []),
        ([3, 3, 3, 3], 0, [3]),
        ([1, 2, 1, 2], 0, [1, 2, 1, 2]),
        ([3, 1, 3, 3, 2], 3, [1, 2]),  # another blank index
    ],
)
def test_ctc_greedy_decode_hand_made(path, blank, expected):
    assert ctc_greedy_decode(_one_hot(path, 4, noise_seed=1), blank=blank) == expected


def test_ctc_greedy_decode_batched_with_lengths():
    a = [1, 0, 1, 2, 2]
    b = [2, 2, 3, 0, 1]
    emissions = ember.stack([_one_hot(a, 4), _one_hot(b, 4)])
    assert ctc_greedy_decode(emissions) == [[1, 1, 2], [2, 3, 1]]
    assert ctc_greedy_decode(emissions, lengths=ember.tensor([2, 3])) == [[1], [2, 3]]
    assert ctc_greedy_decode(emissions[:, :0]) == [[], []]


def test_ctc_greedy_decode_errors():
    with pytest.raises(ValueError, match=r"\(T, C\) or \(N, T, C\)"):
        ctc_greedy_decode(ember.zeros(4))
    with pytest.raises(ValueError, match="blank=5"):
        ctc_greedy_decode(ember.zeros(3, 4), blank=5)
    with pytest.raises(ValueError, match="2 lengths for a batch of 3"):
        ctc_greedy_decode(ember.zeros(3, 2, 4), lengths=[1, 2])


def test_greedy_ctc_decoder_module():
    labels = ["-", "|", "c", "a", "t", "s"]
    decoder = GreedyCTCDecoder(labels)
    path = [2, 2, 0, 3, 4, 4, 1, 0, 2, 3, 0, 3, 4]  # "cat|caat"
    emissions = nn.functional.log_softmax(_one_hot(path, 6, noise_seed=2), dim=-1)
    assert decoder(emissions) == "cat|caat"
    batch = ember.stack([emissions, emissions.flip(0)])
    assert decoder(batch) == ["cat|caat", "taac|tac"]
    assert "num_labels=6, blank=0" in repr(decoder)
    with pytest.raises(ValueError, match="6 classes but there are 3 labels"):
        GreedyCTCDecoder(["-", "a", "b"])(emissions)
