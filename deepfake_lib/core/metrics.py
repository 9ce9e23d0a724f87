"""Classification metrics shared by the three papers.

Convention of the whole book: **label 1 = fake = positive class**, 0 = real. Paper C writes
0 = fake and 1 = real; notebook C1 shows how that choice swaps precision/recall and the ROC's
orientation, and every number this module returns uses fake = positive.

``y_true``, ``y_pred`` are 1-D arrays of 0/1 of shape ``(n,)``; ``scores`` are fake
probabilities of shape ``(n,)``.
"""

from __future__ import annotations

import numpy as np


def confusion(y_true, y_pred) -> dict[str, int]:
    """``{"tp", "tn", "fp", "fn"}`` with fake (1) as the positive class.
    Notebook A1, section "4. The loss, equation (10), and the accuracy, equation (11)"."""
    t = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(y_pred).astype(int).ravel()
    return {"tp": int(((t == 1) & (p == 1)).sum()), "tn": int(((t == 0) & (p == 0)).sum()),
            "fp": int(((t == 0) & (p == 1)).sum()), "fn": int(((t == 1) & (p == 0)).sum())}


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def binary_metrics(y_true, y_pred) -> dict[str, float]:
    """Accuracy (paper A eq. 11), sensitivity (= recall), specificity, precision, F1, error rate.
    Notebook A1, section "4. The loss, equation (10), and the accuracy, equation (11)"."""
    c = confusion(y_true, y_pred)
    tp, tn, fp, fn = c["tp"], c["tn"], c["fp"], c["fn"]
    acc = _ratio(tp + tn, tp + tn + fp + fn)
    sens = _ratio(tp, tp + fn)
    prec = _ratio(tp, tp + fp)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    return {"accuracy": acc, "error_rate": 1 - acc, "sensitivity": sens, "recall": sens,
            "specificity": _ratio(tn, tn + fp), "precision": prec, "f1": f1, **c}


def eer(y_true, scores) -> float:
    """Equal error rate: where the false-positive rate meets the false-negative rate on the ROC.
    Notebook C3, section "Figure 8"."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y_true, scores)
    fnr = 1 - tpr
    i = int(np.nanargmin(np.abs(fnr - fpr)))
    return float((fpr[i] + fnr[i]) / 2)


def score_metrics(y_true, scores) -> dict[str, float]:
    """ROC AUC, average precision and EER of fake-probability ``scores``.
    Notebook C3, section "Figure 8"."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y_true = np.asarray(y_true).astype(int)
    if np.unique(y_true).size < 2:
        nan = float("nan")
        return {"auc": nan, "ap": nan, "eer": nan}
    return {"auc": float(roc_auc_score(y_true, scores)),
            "ap": float(average_precision_score(y_true, scores)), "eer": eer(y_true, scores)}


def video_scores(scores, video_ids, y):
    """Row scores (face crops of paper A, clips of paper B) to video scores: a video's score
    is the mean of its rows' fake probabilities. ``scores``, ``video_ids``, ``y``: ``(N,)``
    per row, every row carrying its video's label. Returns ``(ids (V,), score (V,), label
    (V,))``, videos sorted by id; ValueError for ragged input or a video with two labels.
    Notebook A3, section "Does the headline model learn?"; notebook B2, section "Final
    training and test"."""
    p, video, y = np.asarray(scores, dtype=float), np.asarray(video_ids), np.asarray(y)
    if not (p.shape == video.shape == y.shape):
        raise ValueError(f"scores, video ids and labels must have one entry per row, got "
                         f"{p.shape}, {video.shape} and {y.shape}")
    ids, inverse = np.unique(video, return_inverse=True)
    count = np.bincount(inverse, minlength=len(ids))
    score = np.bincount(inverse, weights=p, minlength=len(ids)) / np.maximum(count, 1)
    label = np.zeros(len(ids), dtype=int)
    label[inverse] = y
    if np.any(label[inverse] != y):
        raise ValueError("rows of one video carry different labels")
    return ids, score, label
