"""kmquant.sweep: one image, several k, and the table the command line shows for them."""
from __future__ import annotations

import json
import math
import numbers
import os
from typing import Any, Iterable, Union

import numpy as np

from . import _kmquant

DEFAULT_KS = (2, 4, 8, 16, 32)


class Sweep(list):
    """The results of one image for several k (a list of :class:`kmquant.Result`, in the
    order of ks) with the table ``kmquant sweep`` prints: ``print(sweep)`` shows it,
    :meth:`to_json` and :meth:`to_csv` give its results.json and results.csv, and
    :meth:`to_pandas` a DataFrame of its rows.

    The table's ``file`` column is empty (nothing is written); for an array input the table's
    ``input`` is ``"<array>"``, ``input_bytes`` is 0 and so is ``png_ratio_vs_input``.
    """

    def __init__(self, results: Iterable[_kmquant.Result], table: _kmquant.ResultTable):
        super().__init__(results)
        self.table = table

    @property
    def rows(self) -> list[_kmquant.ResultRow]:
        """The table's rows, one per result, in the same order."""
        return self.table.results

    def __str__(self) -> str:
        return self.table.to_text()

    def to_json(self, indent: int = 2) -> str:
        """The JSON object of ``kmquant sweep --json`` (psnr is null where lossless)."""
        return self.table.to_json(indent)

    def to_csv(self) -> str:
        """The CSV of ``kmquant sweep`` (results.csv)."""
        return self.table.to_csv()

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row, keyed like the JSON's results (psnr is inf where lossless, ssim
        nan where undefined)."""
        records = json.loads(self.to_json())["results"]
        for record in records:
            if record["psnr"] is None:
                record["psnr"] = math.inf
            if record["ssim"] is None:
                record["ssim"] = math.nan
        return records

    def to_pandas(self):
        """The rows as a pandas DataFrame, one row per k, columns as in the JSON and CSV.
        Needs pandas (Debian: python3-pandas)."""
        try:
            import pandas
        except ImportError as error:
            raise ImportError("Sweep.to_pandas() needs pandas (Debian: apt install "
                              "python3-pandas)") from error
        return pandas.DataFrame.from_records(self.to_records())


def sweep(image_or_path: Union[np.ndarray, str, os.PathLike],
          ks: Iterable[int] = DEFAULT_KS, **options: Any) -> Sweep:
    """Quantize one image for several k, as ``kmquant sweep`` does, and table the results.

    image_or_path: a uint8 (H, W, 3) or (H, W, 4) array, or a PNG, JPEG or WebP file. RGBA is
        composited on white first, as the command line does (unlike :func:`kmquant.quantize`,
        which quantizes the transparency too).
    ks: the numbers of colours, each 1 to 256; a repeated k is done once.
    options: as for :func:`kmquant.quantize` (seed=0, max_iterations=1000, effort=5,
        restarts=0, threads=0, dither=False, dither_strength=1.0).

    The image's colours are counted once for all k. Each result is encoded as the indexed PNG
    ``kmquant sweep`` writes, to fill the table's real sizes (nothing is written). For the same
    file, ks and seed, the table equals the command line's except for seconds and file.
    """
    if isinstance(ks, numbers.Integral):
        raise TypeError("ks must be a sequence of k values, e.g. ks=(16,)")
    distinct = list(dict.fromkeys(ks))
    results, table = _kmquant.sweep_table(image_or_path, distinct, **options)
    return Sweep(results, table)
