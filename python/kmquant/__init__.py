"""kmquant: compress images by k-means colour quantization, from Python.

The C++ library of the ``kmquant`` command, on NumPy arrays::

    import kmquant
    image = kmquant.load("photo.png")          # uint8 (H, W, 3), or (H, W, 4) with alpha
    result = kmquant.quantize(image, 16, seed=1)
    result.image, result.palette, result.labels, result.mse, result.psnr
    shared = kmquant.remap(other_image, result.palette, dither=True)  # one palette, many images
    kmquant.save("photo-16.png", result)       # the indexed PNG `kmquant compress` writes
    kmquant.quantize(image, quality=(30, 35))  # the fewest colours reaching 35 dB, as --quality
    palette = kmquant.shared_palette(["a.png", "b.png"], 64)   # one palette for a set

Images are uint8 arrays (H, W, 3), (H, W, 4) or (H, W) grey, or Pillow images. Results pickle.

    table = kmquant.sweep("photo.png", ks=(2, 4, 8, 16, 32))
    print(table)                               # the table `kmquant sweep` prints
    table.to_pandas()

Batches of files on a Dask cluster: :mod:`kmquant.dask`. Errors are :class:`kmquant.Error`
subclasses whose message is the one the command line prints.
"""
from ._kmquant import (
    Error,
    InputError,
    InvalidArgumentError,
    LimitError,
    Options,
    OutputError,
    QualityError,
    Result,
    ResultRow,
    ResultTable,
    __version__,
    encode,
    load,
    quantize,
    remap,
    save,
    shared_palette,
)
from ._sweep import Sweep, sweep

__all__ = [
    "Error",
    "InputError",
    "InvalidArgumentError",
    "LimitError",
    "Options",
    "OutputError",
    "QualityError",
    "Result",
    "ResultRow",
    "ResultTable",
    "Sweep",
    "__version__",
    "encode",
    "load",
    "quantize",
    "remap",
    "save",
    "shared_palette",
    "sweep",
]
