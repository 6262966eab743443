"""The build backend of pyproject.toml (PEP 517): CMake builds the extension module, and the
package folder it makes (build/python/kmquant) goes into a wheel. In-tree because Debian 12 has
no scikit-build-core; it needs only the standard library, cmake, a C++ compiler and the
packages of scripts/install-deps.sh (pybind11-dev, python3-dev, python3-numpy), so that

    python3 -m venv --system-site-packages venv
    venv/bin/pip install --no-build-isolation .

builds and installs kmquant without the network. config_settings: build-dir=PATH keeps the CMake
build there (default: a temporary folder); the environment's CMAKE_BUILD_PARALLEL_LEVEL sets the
jobs (default: one per CPU); CMAKE_CXX_COMPILER_LAUNCHER (ccache) is passed on by CMake itself.
"""
from __future__ import annotations

import base64
import hashlib
import os
import pathlib
import re
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME = "kmquant"
SUMMARY = "Compress images by exact k-means colour quantization"


def _version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"project\(kmquant VERSION ([0-9.]+)", text)
    if not match:
        raise RuntimeError("CMakeLists.txt: no project(kmquant VERSION ...) found")
    return match.group(1)


def _tag() -> str:
    """The wheel's tag: this interpreter's ABI and platform (the module is compiled for them)."""
    python = f"cp{sys.version_info.major}{sys.version_info.minor}"
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{python}-{python}-{platform}"


def _metadata() -> str:
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {_version()}\nSummary: {SUMMARY}\n"
            "Requires-Python: >=3.9\nRequires-Dist: numpy\nProvides-Extra: dask\n"
            "Requires-Dist: dask; extra == \"dask\"\n"
            "Requires-Dist: distributed; extra == \"dask\"\n")


def _build_package(build_dir: pathlib.Path) -> pathlib.Path:
    """Configure and build the extension module; returns the package folder it fills."""
    configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                 "-DKMQUANT_BUILD_TESTS=OFF", "-DKMQUANT_BUILD_PYTHON=ON",
                 f"-DKMQUANT_PYTHON={sys.executable}"]
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
    subprocess.run(configure, check=True, stdout=sys.stderr)
    subprocess.run(["cmake", "--build", str(build_dir), "--target", "kmquant_python", "-j", jobs],
                   check=True, stdout=sys.stderr)
    return build_dir / "python" / NAME


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(package: pathlib.Path, wheel_directory: str) -> str:
    dist_info = f"{NAME}-{_version()}.dist-info"
    files: list[tuple[str, bytes]] = []
    for path in sorted(package.iterdir()):
        if path.is_file():
            files.append((f"{NAME}/{path.name}", path.read_bytes()))
    files.append((f"{dist_info}/METADATA", _metadata().encode()))
    files.append((f"{dist_info}/WHEEL", (
        f"Wheel-Version: 1.0\nGenerator: kmquant_build\nRoot-Is-Purelib: false\n"
        f"Tag: {_tag()}\n").encode()))
    record = [_record_line(name, data) for name, data in files]
    record.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    wheel_name = f"{NAME}-{_version()}-{_tag()}.whl"
    with zipfile.ZipFile(pathlib.Path(wheel_directory) / wheel_name, "w",
                         zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".so") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return wheel_name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 517: build the module with CMake and package it as a wheel."""
    build_dir = (config_settings or {}).get("build-dir")
    if build_dir:
        return _write_wheel(_build_package(pathlib.Path(build_dir).resolve()), wheel_directory)
    with tempfile.TemporaryDirectory(prefix="kmquant-build-") as scratch:
        return _write_wheel(_build_package(pathlib.Path(scratch)), wheel_directory)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    """PEP 517: the metadata alone, without building (pip asks for it first)."""
    dist_info = pathlib.Path(metadata_directory) / f"{NAME}-{_version()}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata())
    return dist_info.name


def get_requires_for_build_wheel(config_settings=None):
    """PEP 517: nothing from PyPI (cmake, pybind11 and the compiler come from Debian)."""
    return []
