"""crosssell: finds patients at a cross-sell moment and the natural next offer for each."""

__version__ = "0.1.0"
