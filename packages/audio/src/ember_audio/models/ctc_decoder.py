"""Greedy (best-path) decoding of CTC emissions."""

from __future__ import annotations

import numpy as np

from ember import nn


def _best_path(scores: np.ndarray, blank: int) -> list[int]:
    """Collapse repeats of the per-frame argmax and drop blanks."""
    if scores.shape[0] == 0:
        return []
    best = scores.argmax(axis=-1)
    keep = np.ones(best.shape[0], dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    best = best[keep]
    return [int(i) for i in best[best != blank]]


def ctc_greedy_decode(emissions, blank: int = 0, lengths=None):
    """Decode CTC emissions by best path: the most likely class of each frame, with repeats
    collapsed and blanks removed.

    Args:
        emissions (Tensor): Scores (logits, probabilities or log-probabilities) of shape
            ``(T, C)`` or ``(N, T, C)``.
        blank (int, optional): Index of the blank class. (Default: ``0``)
        lengths (Tensor or sequence of int, optional): For batched emissions, the number of
            valid frames of each sequence; frames beyond are ignored. (Default: all frames)

    Returns:
        list of int for ``(T, C)`` emissions, list of lists of int for ``(N, T, C)``.

    Example:
        >>> import ember
        >>> # frames: a a - b - b  (blank is 0, a is 1, b is 2)
        >>> emissions = ember.eye(3)[ember.tensor([1, 1, 0, 2, 0, 2])]
        >>> ctc_greedy_decode(emissions)
        [1, 2, 2]
    """
    scores = emissions.detach().cpu().numpy() if hasattr(emissions, "detach") else emissions
    scores = np.asarray(scores)
    if scores.ndim not in (2, 3):
        raise ValueError(
            "ctc_greedy_decode: expected emissions of shape (T, C) or (N, T, C), got "
            f"{tuple(scores.shape)}"
        )
    if not 0 <= blank < scores.shape[-1]:
        raise ValueError(
            f"ctc_greedy_decode: blank={blank} is not a class index of emissions with "
            f"{scores.shape[-1]} classes"
        )
    if scores.ndim == 2:
        if lengths is not None:
            raise ValueError("ctc_greedy_decode: lengths is only for batched (N, T, C) emissions")
        return _best_path(scores, blank)
    if lengths is None:
        lengths = [scores.shape[1]] * scores.shape[0]
    else:
        lengths = [int(n) for n in (lengths.tolist() if hasattr(lengths, "tolist") else lengths)]
        if len(lengths) != scores.shape[0]:
            raise ValueError(
                f"ctc_greedy_decode: got {len(lengths)} lengths for a batch of {scores.shape[0]}"
            )
    return [_best_path(sequence[:n], blank) for sequence, n in zip(scores, lengths)]


class GreedyCTCDecoder(nn.Module):
    """Turn CTC emissions into text by best-path decoding.

    Args:
        labels (sequence of str): The symbol of each class, ``labels[blank]`` included.
        blank (int, optional): Index of the blank class. (Default: ``0``)

    Shape:
        - Input: ``(T, C)`` or ``(N, T, C)`` with ``C == len(labels)``.
        - Output: a ``str`` for ``(T, C)``, a list of ``str`` for ``(N, T, C)``: the symbols
          of the decoded classes, joined.

    Example:
        >>> import ember
        >>> decoder = GreedyCTCDecoder(["-", "c", "a", "t"])
        >>> emissions = ember.eye(4)[ember.tensor([1, 1, 0, 2, 3, 3])].log_softmax(-1)
        >>> decoder(emissions)
        'cat'
    """

    def __init__(self, labels, blank: int = 0) -> None:
        super().__init__()
        self.labels = list(labels)
        if not 0 <= blank < len(self.labels):
            raise ValueError(
                f"GreedyCTCDecoder: blank={blank} is not an index of the {len(self.labels)} labels"
            )
        self.blank = blank

    def forward(self, emission, lengths=None):
        if emission.shape[-1] != len(self.labels):
            raise ValueError(
                f"GreedyCTCDecoder: emissions have {emission.shape[-1]} classes but there are "
                f"{len(self.labels)} labels"
            )
        decoded = ctc_greedy_decode(emission, self.blank, lengths)
        if emission.dim() == 2:
            return "".join(self.labels[i] for i in decoded)
        return ["".join(self.labels[i] for i in indices) for indices in decoded]

    def extra_repr(self) -> str:
        return f"num_labels={len(self.labels)}, blank={self.blank}"
