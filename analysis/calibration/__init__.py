"""Calibration of a world against field patterns (pattern-oriented modelling, Grimm et al. 2005).

Targets as data (:mod:`.targets`), the world evaluated over seeds (:mod:`.simulator`), ABC-SMC
on pyabc (:mod:`.smc`), the page (:mod:`.report`) and the command's flow (:mod:`.experiment`).
"""

from hetsim.analysis.calibration.experiment import Calibration, calibrate
from hetsim.analysis.calibration.targets import Prior, Target, Targets, load_targets, uncalibrated

__all__ = ["Calibration", "Prior", "Target", "Targets", "calibrate", "load_targets", "uncalibrated"]
