"""The model files installed with the package."""
from pathlib import Path

from ._library import ModelFileError


def shipped_model() -> str:
    """Path of the shipped NiO/MnO committee (tmo-pbeu.safetensors, docs/model-card.md)."""
    path = Path(__file__).resolve().parent / "models" / "tmo-pbeu.safetensors"
    if not path.is_file():
        raise ModelFileError(f"the shipped model is not installed at {path}; reinstall with `pip install ./python`")
    return str(path)
