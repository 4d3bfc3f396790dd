"""SpinMultiNet, spinmd's spin-aware machine-learned potential, from Python (docs/python.md).

`SpinMultiNetCalculator` is the ASE calculator; `Model` is the handle of the C library underneath.
"""
from ._library import (GeometryError, InvalidArgumentError, Model, ModelFileError, NonFiniteError,
                       NotConvergedError, SpinMDError, UnsupportedSpeciesError, library_path, version)
from ._models import shipped_model
from .calculator import SpinMultiNetCalculator

__version__ = "0.1.0"
__all__ = ["SpinMultiNetCalculator", "Model", "SpinMDError", "InvalidArgumentError", "ModelFileError",
           "UnsupportedSpeciesError", "GeometryError", "NotConvergedError", "NonFiniteError",
           "shipped_model", "library_path", "version"]
