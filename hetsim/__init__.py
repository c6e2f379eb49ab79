"""hetsim: who gains power in the machine-learning ecosystem — an agent-based simulation."""

__version__ = "0.1.0"
