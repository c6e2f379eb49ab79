"""Bulk state of every annotator (§2.4.3): culture, skill, pay and this step's work."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class AnnotatorArrays:
    """Culture, skill, pay and work of every annotator (§2.4.3)."""

    n: int
    culture: np.ndarray = field(init=False)  # (A,) cultural background
    skill: np.ndarray = field(init=False)  # (A,) in [0, 1]
    pay: np.ndarray = field(init=False)  # (A,) asking pay per record
    reservation_pay: np.ndarray = field(init=False)  # (A,) lowest pay it will accept
    records: np.ndarray = field(init=False)  # (A,) records labelled this step
    income: np.ndarray = field(init=False)  # (A,) money earned this step
    correct: np.ndarray = field(init=False)  # (A,) labels written correctly this step

    def __post_init__(self) -> None:
        a = self.n
        self.culture = np.zeros(a, dtype=np.int64)
        self.skill = np.zeros(a)
        self.pay = np.zeros(a)
        self.reservation_pay = np.zeros(a)
        self.records = np.zeros(a)
        self.income = np.zeros(a)
        self.correct = np.zeros(a)
