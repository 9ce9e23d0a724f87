r"""A linear-chain conditional random field as a Keras 3 layer (paper C, formulas 16-17).

Notebook C2, section "The CRF layer", derives every function below; this module is the
code that section calls.

Notation. A batch of ``B`` sequences of length ``T`` over ``K`` tags (paper C: K = 2,
0 = real, 1 = fake in the library's convention). The network gives per-frame scores
("emissions") :math:`e_{t,k}`; the layer owns a transition matrix :math:`A_{ij}`
(score of tag *j* following tag *i*) and, optionally, start and end scores
:math:`a^{s}_k`, :math:`a^{e}_k`. The score of a tag path :math:`y` is

.. math::
    s(x, y) = a^{s}_{y_1} + \sum_{t} e_{t, y_t} + \sum_{t>1} A_{y_{t-1} y_t} + a^{e}_{y_T},

its probability :math:`p(y|x) = \exp s(x,y) / Z(x)` with the partition function
:math:`\log Z(x) = \operatorname{logsumexp}_{y} s(x, y)`, computed in :math:`O(TK^2)` by the
forward algorithm :math:`\alpha_t(j) = e_{t,j} + \operatorname{logsumexp}_i
(\alpha_{t-1}(i) + A_{ij})`. Training minimises the negative log-likelihood
:math:`-\log p(y|x) = \log Z(x) - s(x,y)` (paper C, formula 17, with the sign of a loss);
decoding takes the Viterbi path :math:`\arg\max_y s(x,y)` (the same recursion with ``max``);
per-frame posteriors :math:`p(y_t = k | x)` come from the forward-backward algorithm.

Masks. ``mask`` is a boolean ``(B, T)``; ``False`` marks a position that holds no frame:
padding of a video shorter than ``T``, or a frame held out by the frame-level 7:3 split
(notebook C1, section "Two splits"). A sampled frame in which MTCNN finds no face is *not*
masked: it borrows the box of the nearest frame with a face (notebook C1, section "Face
crops"). Masked positions may sit anywhere: left, right, or holes in the middle. They are
skipped: the path runs over the unmasked frames only, the start score applies at the first
unmasked frame, the transition goes from the last unmasked frame to the next unmasked one,
and the end score applies at the last unmasked frame.

Inputs are validated as pytorch-crf's ``_validate`` does (:func:`validate`): emissions of
rank 3 with ``K`` tags, tags and mask of shape ``(B, T)``, every sequence with at least one
unmasked frame, tags in ``[0, K)``. Shapes are checked on every call; values (an empty
sequence, a tag out of range) wherever they are known, i.e. on NumPy or eager inputs, not
inside a compiled graph, where an empty sequence scores ``log Z = score = 0`` (the heads
drop such videos before they reach the layer).

The loops run over ``T`` in Python (``T`` is the static sequence length, 30 frames in the
paper), each step vectorised over the batch and the tags, with ``keras.ops`` only, so the
layer runs on any Keras backend and gradients flow through every operation.

Example
-------
>>> crf = CRF(num_tags=2)
>>> emissions = keras.random.normal((4, 30, 2))
>>> tags = keras.ops.zeros((4, 30), dtype="int32")
>>> loss = crf.loss(emissions, tags)          # scalar, mean NLL over the batch
>>> best = crf.decode(emissions)              # (4, 30) int32 Viterbi tags
"""

from __future__ import annotations

import itertools
from typing import Any

import keras
import numpy as np
from keras import ops


__all__ = ["CRF", "brute_force", "validate", "viterbi_numpy"]
#: The reductions of :meth:`CRF.loss` (pytorch-crf's four).
REDUCTIONS = ("none", "sum", "mean", "token_mean")


def _concrete(x) -> np.ndarray | None:
    """``x`` as a NumPy array when its values are known (NumPy or eager), else None."""
    if x is None or isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(ops.convert_to_numpy(x))
    except Exception:  # a symbolic tensor inside a traced graph has no values yet
        return None


def _shape(x) -> tuple:
    return tuple(None if d is None else int(d) for d in x.shape)


def _same(a: tuple, b: tuple) -> bool:
    """Two static shapes agree wherever both are known."""
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _walk(mask, n_steps: int):
    """For each frame ``t``: ``(t, first, cont)``, bool ``(B,)``: the frame is the first
    unmasked one of its sequence, or an unmasked one after it (the two cases of every
    recursion over a masked sequence)."""
    seen = ops.zeros_like(mask[:, 0])
    for t in range(n_steps):
        m = mask[:, t]
        yield t, ops.logical_and(m, ops.logical_not(seen)), ops.logical_and(m, seen)
        seen = ops.logical_or(seen, m)


def validate(emissions, num_tags: int, tags=None, mask=None) -> None:
    """Check the inputs of every :class:`CRF` method; raise ``ValueError`` with the reason.

    Notebook C2, section "The CRF layer". The messages follow pytorch-crf's ``_validate``:

    - ``emissions must have dimension of 3 (B, T, K), got 2``
    - ``expected last dimension of emissions is 2, got 3``
    - ``the first two dimensions of emissions and tags must match, got (4, 6) and (4, 5)``
    - ``the first two dimensions of emissions and mask must match, got (4, 6) and (6,)``
    - ``every sequence needs at least one unmasked frame; sequence(s) [1] have none``
    - ``tags must lie in [0, 2), got values from 0 to 2``

    Parameters
    ----------
    emissions : float ``(B, T, K)``; num_tags : int ``K``
    tags : int ``(B, T)`` or None; mask : bool ``(B, T)`` or None
    """
    shape = _shape(emissions)
    if len(shape) != 3:
        raise ValueError(f"emissions must have dimension of 3 (B, T, K), got {len(shape)}")
    if shape[2] is not None and shape[2] != num_tags:
        raise ValueError(f"expected last dimension of emissions is {num_tags}, got {shape[2]}")
    for name, x in (("tags", tags), ("mask", mask)):
        if x is not None and not _same(shape[:2], _shape(x)):
            raise ValueError(f"the first two dimensions of emissions and {name} must match, "
                             f"got {shape[:2]} and {_shape(x)}")
    m = _concrete(mask)
    if m is not None:
        empty = np.flatnonzero(~m.astype(bool).any(axis=1))
        if empty.size:
            raise ValueError("every sequence needs at least one unmasked frame; "
                             f"sequence(s) {empty.tolist()[:10]} have none")
    t = _concrete(tags)
    if t is not None and t.size:
        used = t if m is None else t[m.astype(bool)]
        if used.size and (used.min() < 0 or used.max() >= num_tags):
            raise ValueError(f"tags must lie in [0, {num_tags}), got values from "
                             f"{int(used.min())} to {int(used.max())}")


class CRF(keras.layers.Layer):
    """Linear-chain CRF over ``num_tags`` tags (notebook C2, "The CRF layer").

    Parameters
    ----------
    num_tags : int
        Number of tags ``K``.
    use_boundary : bool
        Learn start and end scores (shape ``(K,)`` each); if False they are fixed at 0.

    Weights
    -------
    transitions : ``(K, K)``, ``transitions[i, j]`` = score of tag ``j`` following tag ``i``.
    start_transitions, end_transitions : ``(K,)``.

    ``call(emissions, mask=None)`` returns the per-frame posterior marginals ``(B, T, K)``
    (zeros at masked frames), so the layer can sit at the end of a functional model; the loss
    is :meth:`loss` and the hard decision :meth:`decode`.
    """

    def __init__(self, num_tags: int, use_boundary: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        if int(num_tags) < 1:
            raise ValueError(f"invalid number of tags: {num_tags}")
        self.num_tags = int(num_tags)
        self.use_boundary = bool(use_boundary)
        init = keras.initializers.RandomUniform(-0.1, 0.1)
        k = self.num_tags
        self.transitions = self.add_weight(shape=(k, k), initializer=init, name="transitions")
        self.start_transitions = self.add_weight(shape=(k,), initializer=init, name="start_transitions",
                                                 trainable=self.use_boundary)
        self.end_transitions = self.add_weight(shape=(k,), initializer=init, name="end_transitions",
                                               trainable=self.use_boundary)
        if not self.use_boundary:
            self.start_transitions.assign(np.zeros(k, "float32"))
            self.end_transitions.assign(np.zeros(k, "float32"))
        self.built = True          # all weights exist; they do not depend on the input shape

    def build(self, input_shape):
        self.built = True

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tags": self.num_tags, "use_boundary": self.use_boundary}

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _prepare(self, emissions, mask=None, tags=None):
        """Validate; return ``(emissions, mask, T, B)``: emissions in the weights' dtype and
        the mask as bool ``(B, T)`` (all True when None)."""
        validate(emissions, self.num_tags, tags, mask)
        emissions = ops.cast(emissions, self.transitions.dtype)
        shape = ops.shape(emissions)
        mask = ops.ones(shape[:2], dtype="bool") if mask is None else ops.cast(mask, "bool")
        return emissions, mask, emissions.shape[1], shape[0]

    # ----------------------------------------------------------------------- scores
    def score(self, emissions, tags, mask=None):
        """Score :math:`s(x, y)` of given tag paths.

        Parameters
        ----------
        emissions : float ``(B, T, K)``
        tags : int ``(B, T)`` (values at masked frames are ignored)
        mask : bool ``(B, T)`` or None

        Returns
        -------
        float ``(B,)``
        """
        emissions, mask, n_steps, batch = self._prepare(emissions, mask, tags)
        tags = ops.cast(tags, "int32")
        k = self.num_tags
        zero = ops.zeros((batch,), dtype=emissions.dtype)
        total = zero
        prev = ops.zeros((batch,), dtype="int32")
        for t, first, cont in _walk(mask, n_steps):
            m, y = mask[:, t], tags[:, t]
            onehot = ops.one_hot(y, k, dtype=emissions.dtype)                       # (B, K)
            emit = ops.sum(emissions[:, t] * onehot, axis=-1)
            start = ops.sum(self.start_transitions[None, :] * onehot, axis=-1)
            trans = ops.sum(ops.take(self.transitions, prev, axis=0) * onehot, axis=-1)
            total = total + ops.where(m, emit, zero) + ops.where(first, start, zero) \
                + ops.where(cont, trans, zero)
            prev = ops.where(m, y, prev)
        end = ops.take(self.end_transitions, prev, axis=0)
        return total + ops.where(ops.any(mask, axis=1), end, zero)

    def _forward(self, emissions, mask):
        """Forward variables. Returns ``(alphas, log_z)``: list of T arrays ``(B, K)`` and ``(B,)``."""
        n_steps = emissions.shape[1]
        batch = ops.shape(emissions)[0]
        alpha = ops.zeros((batch, self.num_tags), dtype=emissions.dtype)
        alphas = []
        for t, first, cont in _walk(mask, n_steps):
            e = emissions[:, t]
            start = self.start_transitions[None, :] + e
            step = ops.logsumexp(alpha[:, :, None] + self.transitions[None], axis=1) + e
            alpha = ops.where(first[:, None], start, ops.where(cont[:, None], step, alpha))
            alphas.append(alpha)
        log_z = ops.logsumexp(alpha + self.end_transitions[None, :], axis=-1)
        return alphas, ops.where(ops.any(mask, axis=1), log_z, ops.zeros_like(log_z))

    def log_partition(self, emissions, mask=None):
        """:math:`\\log Z(x)` by the forward algorithm.

        Parameters
        ----------
        emissions : float ``(B, T, K)``
        mask : bool ``(B, T)`` or None

        Returns
        -------
        float ``(B,)``
        """
        emissions, mask, _, _ = self._prepare(emissions, mask)
        return self._forward(emissions, mask)[1]

    def log_likelihood(self, emissions, tags, mask=None):
        """:math:`\\log p(y|x) = s(x,y) - \\log Z(x)`, shape ``(B,)``; inputs as :meth:`score`."""
        return self.score(emissions, tags, mask) - self.log_partition(emissions, mask)

    def loss(self, emissions, tags, mask=None, reduction: str = "mean"):
        """Negative log-likelihood, the training loss (a loss: lower is better).

        Parameters
        ----------
        emissions : float ``(B, T, K)``; tags : int ``(B, T)``; mask : bool ``(B, T)`` or None
        reduction : ``"mean"`` (mean over sequences), ``"sum"``, ``"token_mean"`` (sum over
            sequences divided by the number of unmasked frames) or ``"none"`` (``(B,)``).

        Returns
        -------
        float scalar, or ``(B,)`` for ``reduction="none"``
        """
        if reduction not in REDUCTIONS:
            raise ValueError(f"invalid reduction: {reduction!r}; use one of {REDUCTIONS}")
        nll = -self.log_likelihood(emissions, tags, mask)
        if reduction == "none":
            return nll
        if reduction == "sum":
            return ops.sum(nll)
        if reduction == "mean":
            return ops.mean(nll)
        m = ops.ones(ops.shape(emissions)[:2]) if mask is None else mask
        return ops.sum(nll) / ops.maximum(ops.sum(ops.cast(m, nll.dtype)), 1.0)

    # ----------------------------------------------------------------------- inference
    def marginals(self, emissions, mask=None, log: bool = False):
        """Per-frame posteriors :math:`p(y_t = k | x)` by forward-backward.

        Parameters
        ----------
        emissions : float ``(B, T, K)``; mask : bool ``(B, T)`` or None
        log : bool
            Return :math:`\log p(y_t = k | x)` instead, never exponentiated, so a posterior
            that saturates to 1.0 in float32 keeps its log-odds (0 at masked frames).

        Returns
        -------
        float ``(B, T, K)``; rows sum to 1 at unmasked frames, 0 at masked frames.
        """
        emissions, mask, n_steps, batch = self._prepare(emissions, mask)
        alphas, log_z = self._forward(emissions, mask)
        # message from the next unmasked frame; the end score until one has been met
        msg = ops.broadcast_to(self.end_transitions[None, :], (batch, self.num_tags))
        out = [None] * n_steps
        for t in reversed(range(n_steps)):
            m = mask[:, t][:, None]
            logp = alphas[t] + msg - log_z[:, None]
            out[t] = ops.where(m, logp if log else ops.exp(logp), ops.zeros_like(logp))
            new_msg = ops.logsumexp(self.transitions[None] + (emissions[:, t] + msg)[:, None, :], axis=-1)
            msg = ops.where(m, new_msg, msg)
        return ops.stack(out, axis=1)

    def constant_path_log_odds(self, emissions, mask=None):
        """:math:`\log p(\mathbf{1}|x) - \log p(\mathbf{0}|x) = s(x, \mathbf{1}) -
        s(x, \mathbf{0})`: the CRF's own log-odds of the all-fake against the all-real path.

        Notebook C3, section "Coherent video scores for the CRF". :math:`\log Z` cancels, so
        no probability is formed and nothing saturates; once the CRF has collapsed onto
        constant paths these are the two paths Viterbi chooses between, and the sign of this
        score is its video decision. Needs ``K >= 2`` (tag ``K-1`` against tag 0).

        Parameters
        ----------
        emissions : float ``(B, T, K)``; mask : bool ``(B, T)`` or None

        Returns
        -------
        float ``(B,)``
        """
        shape = ops.shape(emissions)
        ones = ops.full(shape[:2], self.num_tags - 1, dtype="int32")
        zeros = ops.zeros(shape[:2], dtype="int32")
        return self.score(emissions, ones, mask) - self.score(emissions, zeros, mask)

    def viterbi(self, emissions, mask=None):
        """Best path and its score, vectorised over the batch; inputs as :meth:`marginals`.

        Returns
        -------
        tags : int32 ``(B, T)``, the Viterbi path; ``-1`` at masked frames.
        best_score : float ``(B,)``, :math:`\\max_y s(x, y)` (0 for an all-masked sequence).
        """
        emissions, mask, n_steps, batch = self._prepare(emissions, mask)
        k = self.num_tags
        identity = ops.broadcast_to(ops.arange(k, dtype="int32")[None, :], (batch, k))
        delta = ops.zeros((batch, k), dtype=emissions.dtype)
        pointers = []
        for t, first, cont in _walk(mask, n_steps):
            e = emissions[:, t]
            cand = delta[:, :, None] + self.transitions[None]                  # (B, K_prev, K)
            step = ops.max(cand, axis=1) + e
            ptr = ops.cast(ops.argmax(cand, axis=1), "int32")
            delta = ops.where(first[:, None], self.start_transitions[None, :] + e,
                              ops.where(cont[:, None], step, delta))
            pointers.append(ops.where(cont[:, None], ptr, identity))
        final = delta + self.end_transitions[None, :]
        best_score = ops.where(ops.any(mask, axis=1), ops.max(final, axis=-1),
                               ops.zeros((batch,), dtype=final.dtype))
        cur = ops.cast(ops.argmax(final, axis=-1), "int32")
        tags = [None] * n_steps
        for t in reversed(range(n_steps)):
            tags[t] = ops.where(mask[:, t], cur, -ops.ones_like(cur))
            cur = ops.squeeze(ops.take_along_axis(pointers[t], cur[:, None], axis=1), axis=1)
        return ops.stack(tags, axis=1), best_score

    def decode(self, emissions, mask=None):
        """Viterbi tags, int32 ``(B, T)`` (``-1`` at masked frames); see :meth:`viterbi`."""
        return self.viterbi(emissions, mask)[0]

    def call(self, emissions, mask=None):
        """Posterior marginals ``(B, T, K)``; see :meth:`marginals`."""
        return self.marginals(emissions, mask)

    def compute_mask(self, inputs, mask=None):
        return mask

    def numpy_params(self) -> dict[str, np.ndarray]:
        """``{"transitions": (K, K), "start": (K,), "end": (K,)}`` as NumPy arrays."""
        return {"transitions": ops.convert_to_numpy(self.transitions),
                "start": ops.convert_to_numpy(self.start_transitions),
                "end": ops.convert_to_numpy(self.end_transitions)}


# --------------------------------------------------------------------------- references
def _path_score(em, path, steps, transitions, start, end) -> float:
    s = start[path[0]] + end[path[-1]] + sum(em[t, y] for t, y in zip(steps, path))
    return float(s + sum(transitions[a, b] for a, b in zip(path[:-1], path[1:])))


def brute_force(emissions, transitions, start, end, mask=None, tags=None) -> dict[str, Any]:
    """Enumerate every tag path of ONE sequence (notebook C2, "Checking the CRF").

    The reference the layer is tested against: ``K ** n`` paths over the ``n`` unmasked frames,
    so keep ``n`` small (``K ** n`` below a few thousand).

    Parameters
    ----------
    emissions : float ``(T, K)``; transitions : ``(K, K)``; start, end : ``(K,)``
    mask : bool ``(T,)`` or None
    tags : int ``(T,)`` or None: a path whose score and log-likelihood are also returned

    Returns
    -------
    dict with ``log_partition`` (float), ``best_path`` (int ``(T,)``, -1 at masked frames),
    ``best_score`` (float), ``marginals`` (``(T, K)``, zeros at masked frames), and, when
    ``tags`` is given, ``score`` and ``log_likelihood``.
    """
    em = np.asarray(emissions, dtype=np.float64)
    n_steps, k = em.shape
    mask = np.ones(n_steps, bool) if mask is None else np.asarray(mask, bool)
    steps = np.flatnonzero(mask)
    tr, st, en = (np.asarray(a, np.float64) for a in (transitions, start, end))
    best_path = -np.ones(n_steps, int)
    marg = np.zeros((n_steps, k))
    out: dict[str, Any] = {}
    if steps.size == 0:
        out.update(log_partition=0.0, best_score=0.0, best_path=best_path, marginals=marg)
    else:
        paths = list(itertools.product(range(k), repeat=steps.size))
        scores = np.array([_path_score(em, p, steps, tr, st, en) for p in paths])
        log_z = float(np.logaddexp.reduce(scores))
        probs = np.exp(scores - log_z)
        for p, w in zip(paths, probs):
            marg[steps, list(p)] += w
        best_path[steps] = paths[int(np.argmax(scores))]
        out.update(log_partition=log_z, best_score=float(scores.max()), best_path=best_path,
                   marginals=marg)
    if tags is not None:
        s = _path_score(em, [int(tags[t]) for t in steps], steps, tr, st, en) if steps.size else 0.0
        out.update(score=s, log_likelihood=s - out["log_partition"])
    return out


def viterbi_numpy(emissions, transitions, start, end) -> np.ndarray:
    """Viterbi of ONE unmasked sequence in NumPy, a time loop: the per-sequence baseline of
    the CRF benchmark and a reference of the tests (notebook C2, "Checking the CRF").

    Parameters
    ----------
    emissions : ``(T, K)``; transitions : ``(K, K)``; start, end : ``(K,)``

    Returns
    -------
    int ``(T,)``
    """
    delta = start + emissions[0]
    ptrs = []
    for t in range(1, len(emissions)):
        cand = delta[:, None] + transitions
        ptrs.append(cand.argmax(axis=0))
        delta = cand.max(axis=0) + emissions[t]
    path = [int(np.argmax(delta + end))]
    for ptr in reversed(ptrs):
        path.append(int(ptr[path[-1]]))
    return np.array(path[::-1])
