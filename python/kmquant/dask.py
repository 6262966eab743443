"""Compress many image files on a Dask cluster and gather one table.

kmquant does not distribute work itself: this helper hands one task per file to Dask
(Debian: python3-dask, python3-distributed), which runs it wherever its scheduler says. Each
task does for its file what ``kmquant compress -k K`` does, for every k: the same load (RGBA
kept where the file has transparency), the same quantization and the same PNG, byte for byte;
it writes the PNGs if asked and returns the file's rows, in the order given::

    from dask.distributed import Client
    import kmquant.dask

    client = Client("tcp://scheduler-host:8786")   # a running cluster; or Client() for a
                                                   # LocalCluster on this machine
    rows = kmquant.dask.compress_files(paths, ks=(16, 64), out_dir="/shared/out",
                                       client=client)
    pandas.DataFrame(rows)

Paths are made absolute here, on the client, so every worker reads and writes the same files
whatever its working directory; on a real cluster they must be on a file system every worker
sees. With a client, every worker is first asked (``client.run``) to import kmquant: one that
cannot, or has another version, fails the call at once with a message naming it, before any
task is sent. Without ``client``, the tasks run on Dask's current default scheduler (the active
``distributed.Client`` if there is one, otherwise threads in this process). A failing file (a
corrupt image, say) fails the batch with its kmquant.Error.
"""
from __future__ import annotations

import os
import pathlib
from typing import Any, Iterable, Optional, Sequence, Union

import dask

import kmquant

PathLike = Union[str, os.PathLike]


def output_name(path: PathLike, k: int) -> str:
    """The file name a batch writes for one input and one k: ``<stem>-k<k>.png``."""
    return f"{pathlib.Path(path).stem}-k{k}.png"


def compress_files(paths: Iterable[PathLike], ks: Iterable[int] = (16,),
                   out_dir: Optional[PathLike] = None, *, client: Any = None,
                   **options: Any) -> list[dict[str, Any]]:
    """Quantize every file for every k on Dask; returns one row per (file, k).

    paths: PNG, JPEG or WebP files, read by the workers (made absolute here).
    ks: the numbers of colours (1 to 256); a repeated k is done once.
    out_dir: where the workers write ``<stem>-k<k>.png`` (created if needed; made absolute
        here); None writes nothing. Two inputs with the same stem would write the same file:
        that is refused.
    client: a ``distributed.Client`` to run on; None uses Dask's default scheduler.
    options: as for :func:`kmquant.quantize` (seed, effort, dither, ...).

    Each row has the file's ``input`` (absolute), ``width``, ``height``, ``input_bytes`` and
    ``seed``, and for its k: ``k``, ``colors``, ``bits_per_pixel``, ``png_bytes`` (the size of
    the PNG, which is the file written), ``file`` (or "" without out_dir), ``mse``, ``psnr``
    (inf where lossless), ``lossless``, ``transparent``, ``iterations``, ``converged`` and
    ``seconds``. ``pandas.DataFrame(rows)`` makes it a table.
    """
    inputs = [os.path.abspath(os.fspath(path)) for path in paths]
    distinct_ks = list(dict.fromkeys(ks))
    for k in distinct_ks:  # before any task, as the command line checks -k
        if not isinstance(k, int) or not 1 <= k <= 256:
            raise kmquant.InvalidArgumentError(f"k = {k} is out of range: k must be 1 to 256")
    out = None if out_dir is None else os.path.abspath(os.fspath(out_dir))
    if out is not None:
        _check_outputs(inputs, distinct_ks, out)
    tasks = [dask.delayed(compress_file, pure=True)(path, distinct_ks, out, options)
             for path in inputs]
    if client is None:
        per_file = dask.compute(*tasks)
    else:
        check_workers(client)
        per_file = client.gather(client.compute(tasks))
    return [row for rows in per_file for row in rows]


def check_workers(client: Any) -> None:
    """Ask every worker of `client` to import kmquant; raise RuntimeError naming those that
    cannot, or that have another version than this process. The question is built-in code
    (eval), so a worker without kmquant can answer it."""
    question = "__import__('kmquant').__version__"
    problems = []
    for worker in sorted(client.scheduler_info()["workers"]):
        try:
            version = client.run(eval, question, workers=[worker])[worker]
        except Exception as error:  # the worker's own error, raised again here
            problems.append(f"{worker}: cannot import kmquant ({type(error).__name__}: {error})")
            continue
        if version != kmquant.__version__:
            problems.append(f"{worker}: kmquant {version}, not {kmquant.__version__} as here")
    if problems:
        raise RuntimeError("kmquant.dask: every worker must import the same kmquant (install it "
                           "on each, or set PYTHONPATH for `dask worker`): " + "; ".join(problems))


def compress_file(path: str, ks: Sequence[int], out_dir: Optional[str],
                  options: dict[str, Any]) -> list[dict[str, Any]]:
    """One task of :func:`compress_files`: one file, every k, in this process, as
    ``kmquant compress -k K`` does it."""
    image = kmquant.load(path)
    info = {"input": path, "width": image.shape[1], "height": image.shape[0],
            "input_bytes": os.path.getsize(path), "seed": options.get("seed", 0)}
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
    rows = []
    for k in ks:
        result = kmquant.quantize(image, k, **options)
        png = kmquant.encode(result)
        file = ""
        if out_dir is not None:
            file = os.path.join(out_dir, output_name(path, k))
            _write_atomic(file, png)
        rows.append({**info, "k": k, "colors": result.colors,
                     "bits_per_pixel": result.bits_per_pixel, "png_bytes": len(png),
                     "file": file, "mse": result.mse, "psnr": result.psnr,
                     "lossless": result.lossless, "transparent": result.palette.shape[1] == 4,
                     "iterations": result.iterations, "converged": result.converged,
                     "seconds": result.seconds})
    return rows


def _write_atomic(file: str, data: bytes) -> None:
    """Write as kmquant does: a temporary file beside it, renamed into place."""
    temporary = f"{file}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, file)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _check_outputs(inputs: Sequence[str], ks: Sequence[int], out_dir: str) -> None:
    """Refuse, before any work, a batch that would write one file twice or over an input."""
    resolved_inputs = {pathlib.Path(path).resolve() for path in inputs}
    written_by: dict[pathlib.Path, str] = {}
    for path in inputs:
        for k in ks:
            output = (pathlib.Path(out_dir) / output_name(path, k)).resolve()
            if output in resolved_inputs:
                raise ValueError(f"{output}: refusing to overwrite an input with an output")
            if written_by.get(output, path) != path:
                raise ValueError(f"{path} and {written_by[output]} would both write {output}: "
                                 "give them different names")
            written_by[output] = path
