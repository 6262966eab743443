"""kmquant's k-means against scikit-learn's: on the sample photo, kmquant's MSE is no worse
than that of sklearn.cluster.KMeans(n_init=10) (Debian: python3-sklearn; skipped without it).

Both are scored the same way, as kmquant scores itself: centroids rounded to 8 bits, every
pixel written as the rounded colour of its cluster, MSE over pixels and channels. sklearn runs
on the image's unique colours weighted by their pixel counts: the same objective as on every
pixel (kmquant does the same), several times faster."""
import numpy as np
import pytest

import kmquant
from conftest import SAMPLE, pillow_rgb

cluster = pytest.importorskip("sklearn.cluster", reason="python3-sklearn is not installed")


@pytest.fixture(scope="module")
def pixels():
    return pillow_rgb(SAMPLE)


def sklearn_mse(image, k):
    flat = image.reshape(-1, 3).astype(np.int64)
    packed = flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2]
    unique, pixel_colour, counts = np.unique(packed, return_inverse=True, return_counts=True)
    colours = np.stack([unique >> 16, unique >> 8 & 255, unique & 255], axis=1).astype(float)
    fit = cluster.KMeans(n_clusters=k, n_init=10, random_state=0).fit(colours,
                                                                      sample_weight=counts)
    palette = np.clip(np.rint(fit.cluster_centers_), 0, 255)
    written = palette[fit.labels_[pixel_colour]]
    return float(np.mean((written - flat) ** 2))


# The default sweep's k values: kmquant's default is at least as good as sklearn's best of ten
# k-means++ runs on this photo at each (issue 4; measured over the Kodak set in
# docs/benchmarks.md, where k = 16 and 32 are not yet as good on every image).
@pytest.mark.parametrize("k", [2, 4, 8, 16, 32])
def test_mse_no_worse_than_sklearn_kmeans_n_init_10(pixels, k):
    ours = kmquant.quantize(pixels, k).mse
    theirs = sklearn_mse(pixels, k)
    assert ours <= theirs * (1 + 1e-9), f"k = {k}: kmquant MSE {ours:.3f}, sklearn {theirs:.3f}"
