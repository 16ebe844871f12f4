"""cthub: counter-terrorism cooperation hub."""

__version__ = "0.1.0"
