"""Builds the wheel of the `spinmd` Python package.

The package carries libspinmdc.so (the Swift library, its standard library linked statically),
its C header and the shipped model. The library is taken from SPINMD_LIBRARY when that names a
prebuilt file; otherwise it is built here from the repository this directory sits in:

    swift build -c release --product spinmdc --scratch-path .build-python \
        -Xswiftc -static-stdlib -Xlinker -L<toolchain>/usr/lib/swift_static/linux

(SwiftPM's --static-swift-stdlib links executables only; -static-stdlib on the library's link
line, with the toolchain's static library folder, gives a library that needs no Swift runtime.)
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def library() -> Path:
    prebuilt = os.environ.get("SPINMD_LIBRARY")
    if prebuilt:
        path = Path(prebuilt)
        if not path.is_file():
            raise SystemExit(f"SPINMD_LIBRARY={prebuilt}: no such file")
        return path
    if not (ROOT / "Package.swift").is_file():
        raise SystemExit(f"{ROOT} is not the spinmd repository (no Package.swift): build from a clone, "
                         "or set SPINMD_LIBRARY to a prebuilt libspinmdc.so")
    if shutil.which("swift") is None:
        raise SystemExit("building libspinmdc.so needs Swift 6.3 on PATH (README.md), "
                         "or set SPINMD_LIBRARY to a prebuilt libspinmdc.so")
    scratch = ROOT / ".build-python"
    info = json.loads(subprocess.run(["swiftc", "-print-target-info"], check=True, capture_output=True, text=True).stdout)
    static = Path(info["paths"]["runtimeResourcePath"] + "_static") / "linux"
    command = ["swift", "build", "-c", "release", "--product", "spinmdc", "--package-path", str(ROOT),
               "--scratch-path", str(scratch), "-Xswiftc", "-static-stdlib", "-Xlinker", f"-L{static}"]
    print("building libspinmdc.so:", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    return scratch / "release" / "libspinmdc.so"


class BuildWithLibrary(build_py):
    """Copies the library, the header and the shipped model into the package before building it."""

    def run(self):
        package = HERE / "spinmd"
        for folder, source in [("lib", library()),
                               ("include", ROOT / "Sources" / "CSpinMD" / "include" / "spinmd.h"),
                               ("models", ROOT / "inputs" / "models" / "tmo-pbeu.safetensors")]:
            (package / folder).mkdir(exist_ok=True)
            shutil.copyfile(source, package / folder / Path(source).name)
        super().run()


try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel


class PlatformWheel(bdist_wheel):
    """Any Python 3 (the library is loaded with ctypes, no extension module), this platform only."""

    def get_tag(self):
        return ("py3", "none", super().get_tag()[2])


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform, not as pure Python."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel}, distclass=BinaryDistribution)
