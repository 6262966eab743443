"""Compress many image files on a Dask cluster and gather one table.

kmquant does not distribute work itself: this helper hands one task per file to Dask
(Debian: python3-dask, python3-distributed), which runs it wherever its scheduler says. Each
task quantizes one file for every k (one colour count, many k), writes the indexed PNGs if
asked, and returns the file's rows; the rows of all files come back in the order given::

    from dask.distributed import Client
    import kmquant.dask

    client = Client("tcp://scheduler-host:8786")   # a running cluster; or Client() for a
                                                   # LocalCluster on this machine
    rows = kmquant.dask.compress_files(paths, ks=(16, 64), out_dir="/shared/out",
                                       client=client)
    pandas.DataFrame(rows)

Without ``client``, the tasks run on Dask's current default scheduler: the active
``distributed.Client`` if there is one, otherwise threads in this process. Every worker must
be able to import kmquant (the same version) and to read the input paths; with ``out_dir`` it
must be able to write there too, so on a real cluster the paths should be on a shared file
system. A failing file (a corrupt image, say) fails the batch with its kmquant.Error.
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

    paths: PNG, JPEG or WebP files, read by the workers.
    ks: the numbers of colours (1 to 256); a repeated k is done once.
    out_dir: where the workers write ``<stem>-k<k>.png`` (created if needed); None writes
        nothing. Two inputs with the same stem would write the same file: that is refused.
    client: a ``distributed.Client`` to run on; None uses Dask's default scheduler.
    options: as for :func:`kmquant.quantize` (seed, max_iterations).

    Each row is the row of ``kmquant sweep``'s JSON for that k (with psnr inf where lossless)
    plus the file's ``input``, ``width``, ``height``, ``unique_colors``, ``input_bytes`` and
    ``seed``; ``file`` is the PNG written, or "" without out_dir. ``pandas.DataFrame(rows)``
    makes it a table.
    """
    inputs = [os.fspath(path) for path in paths]
    distinct_ks = list(dict.fromkeys(ks))
    out = None if out_dir is None else os.fspath(out_dir)
    if out is not None:
        _check_outputs(inputs, distinct_ks, out)
    tasks = [dask.delayed(compress_file, pure=True)(path, distinct_ks, out, options)
             for path in inputs]
    if client is None:
        per_file = dask.compute(*tasks)
    else:
        per_file = client.gather(client.compute(tasks))
    return [row for rows in per_file for row in rows]


def compress_file(path: str, ks: Sequence[int], out_dir: Optional[str],
                  options: dict[str, Any]) -> list[dict[str, Any]]:
    """One task of :func:`compress_files`: one file, every k, in this process."""
    results = kmquant.sweep(path, ks, **options)
    table = results.table
    image = {"input": path, "width": table.width, "height": table.height,
             "unique_colors": table.unique_colors, "input_bytes": table.input_bytes,
             "seed": table.seed}
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
    rows = []
    for result, record in zip(results, results.to_records()):
        if out_dir is not None:
            record["file"] = os.path.join(out_dir, output_name(path, result.k))
            kmquant.save(record["file"], result)
        rows.append({**image, **record})
    return rows


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
