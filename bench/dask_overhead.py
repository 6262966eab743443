"""kmquant.dask against the command line on the same work: IMAGES at k = 16, outputs written,
`kmquant compress -j 2` against compress_files on a LocalCluster of two one-thread worker
processes (started before timing); interleaved runs, medians, and a byte comparison.
    PYTHONPATH=build/release/python /usr/bin/python3 bench/dask_overhead.py [IMAGE_DIR] [RUNS]
"""
import glob
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


def main():
    from distributed import Client, LocalCluster

    import kmquant.dask
    folder = sys.argv[1] if len(sys.argv) > 1 else str(REPO.parent / "shared/images/kodak")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    paths = sorted(glob.glob(os.path.join(folder, "*.png")))
    binary = str(REPO / "build/release/kmquant")
    package = str(pathlib.Path(kmquant.__file__).resolve().parent.parent)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(sys.path.insert, 0, package)
        cli, dask = [], []
        for run in range(runs):
            with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as out2:
                start = time.perf_counter()
                subprocess.run([binary, "compress", "-k", "16", *paths, "--out-dir", out, "-q",
                                "-j", "2"], check=True)
                cli.append(time.perf_counter() - start)
                start = time.perf_counter()
                kmquant.dask.compress_files(paths, (16,), out2, client=client, threads=1)
                dask.append(time.perf_counter() - start)
                same = all(pathlib.Path(out, pathlib.Path(p).name).read_bytes() ==
                           pathlib.Path(out2, pathlib.Path(p).stem + "-k16.png").read_bytes()
                           for p in paths)
            print(f"run {run}: cli {cli[-1]:.2f} s, dask {dask[-1]:.2f} s, same bytes: {same}")
    print(f"{len(paths)} images, medians: cli {statistics.median(cli):.2f} s, "
          f"dask {statistics.median(dask):.2f} s, "
          f"ratio {statistics.median(dask) / statistics.median(cli):.2f}")


if __name__ == "__main__":
    main()
