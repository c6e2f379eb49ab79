"""Annotation (§2.4.3): who labels the data, and how culture and pay set label noise.

Labels are not facts found in data: annotators from another cultural background misread cues,
and rushed, underpaid work is sloppier. The flip rate of a label therefore rises with the
cultural distance between the annotator and the data's origin and with the shortfall of pay
below a fair rate; skilled annotators make fewer errors.
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.schema import AnnotatorsSection


def cultural_distance(culture_a: np.ndarray, culture_b: np.ndarray, n_cultures: int) -> np.ndarray:
    """Distance in [0, 1] between cultures placed on a circle (0 same, 1 opposite)."""
    if n_cultures <= 1:
        return np.zeros(np.broadcast(culture_a, culture_b).shape)
    diff = np.abs(np.asarray(culture_a) - np.asarray(culture_b)) % n_cultures
    return np.minimum(diff, n_cultures - diff) / (n_cultures / 2.0)


def flip_probability(
    mismatch: np.ndarray, pay: np.ndarray, skill: np.ndarray, spec: AnnotatorsSection
) -> np.ndarray:
    """Chance that a label is flipped: base + mismatch + low-pay terms, damped by skill."""
    shortfall = np.clip(1.0 - np.asarray(pay) / spec.fair_pay, 0.0, 1.0)
    raw = spec.base_noise + spec.mismatch_noise * mismatch + spec.low_pay_noise * shortfall
    return np.clip(raw * (1.5 - np.asarray(skill)), 0.0, spec.max_flip)


def choose_annotators(
    hirer_culture: np.ndarray,
    budget_per_record: np.ndarray,
    annotator_culture: np.ndarray,
    annotator_skill: np.ndarray,
    annotator_pay: np.ndarray,
    spec: AnnotatorsSection,
    n_cultures: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Each hirer picks the annotator with the best expected label quality for the money.

    Hirers see an annotator's expected accuracy on their data and weigh its asking pay against
    what they can spend per record; Gumbel noise stands for imperfect information. Returns one
    annotator index per hirer, or -1 when there are no annotators.
    """
    n_hirers, n_annot = len(hirer_culture), len(annotator_culture)
    if n_annot == 0 or n_hirers == 0:
        return np.full(n_hirers, -1, dtype=np.int64)
    mismatch = cultural_distance(hirer_culture[:, None], annotator_culture[None, :], n_cultures)
    quality = 1.0 - flip_probability(
        mismatch, annotator_pay[None, :], annotator_skill[None, :], spec
    )
    affordability = annotator_pay[None, :] / np.maximum(budget_per_record[:, None], 1e-9)
    score = 4.0 * quality - affordability + 0.3 * rng.gumbel(size=(n_hirers, n_annot))
    return np.argmax(score, axis=1)


def annotate(y_true: np.ndarray, flip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Labels as the annotator writes them: each true label flipped with its probability."""
    flip = np.asarray(flip, dtype=float)
    if flip.ndim == y_true.ndim - 1:  # one rate per row of records
        flip = flip[..., None]
    flip = np.broadcast_to(flip, y_true.shape)
    flipped = rng.random(y_true.shape) < flip
    return np.where(flipped, 1 - y_true, y_true).astype(np.int8)
