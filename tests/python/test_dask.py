"""kmquant.dask: batches on Dask, every PNG checked byte for byte against `kmquant compress`, on
the default scheduler and on a real cluster: `dask scheduler` and two `dask worker` processes on
loopback (Debian: python3-dask, python3-distributed; skipped without them)."""
import math
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import kmquant
from conftest import KODAK, TEST_DATA

dask = pytest.importorskip("dask", reason="python3-dask is not installed")
import kmquant.dask  # noqa: E402  (needs dask)

# distributed 2022.12 on Debian 12 uses a tornado call that newer tornado deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")

PACKAGE_PARENT = str(pathlib.Path(kmquant.__file__).resolve().parent.parent)


def cli_png(cli, path, k, out, *flags):
    """The PNG `kmquant compress -k K` writes for `path`."""
    result = cli("compress", path, "-k", k, "-o", out, "-q", "-f", *flags)
    assert result.returncode == 0, result.stderr
    return pathlib.Path(out).read_bytes()


def check_rows_against_the_cli(cli, rows, paths, ks, scratch, *flags):
    assert [(row["input"], row["k"]) for row in rows] == [
        (str(pathlib.Path(path).resolve()), k) for path in paths for k in ks]
    for row in rows:
        written = pathlib.Path(row["file"]).read_bytes()
        assert row["png_bytes"] == len(written)
        assert written == cli_png(cli, row["input"], row["k"], scratch / "cli.png", *flags)
        assert row["input_bytes"] == os.path.getsize(row["input"])


def test_default_scheduler_writes_what_the_cli_writes(cli, tmp_path, monkeypatch):
    """No client: threads here. Relative paths are resolved here; RGBA keeps its alpha."""
    names = ("synthetic_rgb.png", "basn6a08.png", "basn3p02.png", "synthetic_rgba.png")
    for name in names:
        (tmp_path / name).write_bytes((TEST_DATA / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    rows = kmquant.dask.compress_files(names, (2, 8, 2), "out", seed=1)
    check_rows_against_the_cli(cli, rows, [tmp_path / n for n in names], (2, 8), tmp_path,
                               "--seed", "1")
    assert all(pathlib.Path(row["file"]).parent == tmp_path / "out" for row in rows)
    transparent = {pathlib.Path(row["input"]).name for row in rows if row["transparent"]}
    assert transparent == {"basn6a08.png", "synthetic_rgba.png"}
    lossless = [row for row in rows if row["input"].endswith("basn3p02.png") and row["k"] == 8]
    assert lossless[0]["lossless"] and math.isinf(lossless[0]["psnr"])


def test_without_out_dir_nothing_is_written(tmp_path):
    rows = kmquant.dask.compress_files([TEST_DATA / "synthetic_rgb.png"], (3,))
    assert rows[0]["file"] == "" and rows[0]["k"] == 3 and rows[0]["png_bytes"] > 0
    assert rows[0]["input"] == str(TEST_DATA / "synthetic_rgb.png")


def test_outputs_that_would_collide_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "x.png").write_bytes((TEST_DATA / "synthetic_rgb.png").read_bytes())
    with pytest.raises(ValueError, match="would both write"):
        kmquant.dask.compress_files([tmp_path / "a" / "x.png", tmp_path / "b" / "x.png"], (4,),
                                    tmp_path / "out")
    victim = tmp_path / "a" / "y-k4.png"
    victim.write_bytes((TEST_DATA / "synthetic_rgb.png").read_bytes())
    with pytest.raises(ValueError, match="overwrite an input"):
        kmquant.dask.compress_files([tmp_path / "a" / "y.png", victim], (4,), tmp_path / "a")
    assert not (tmp_path / "out").exists()


def test_a_bad_file_fails_the_batch_with_its_message(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nothing")
    with pytest.raises(kmquant.InputError, match="bad.png"):
        kmquant.dask.compress_files([TEST_DATA / "synthetic_rgb.png", bad], (4,))


class Cluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1, each in its own session,
    all ended (SIGTERM, then SIGKILL) when the test ends."""

    def __init__(self, folder):
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.processes = []

    def start(self, *args, python_path):
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        if python_path:
            env["PYTHONPATH"] = python_path
        log = open(self.folder / f"process{len(self.processes)}.log", "w")
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:],
             "--scheduler-file", str(self.scheduler_file), "--no-dashboard"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=self.folder))

    def worker(self, python_path):
        self.start("worker", "--nthreads", "1", "--host", "127.0.0.1", "--death-timeout", "60",
                   python_path=python_path)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


@pytest.fixture
def cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="python3-distributed is missing")
    folder = tmp_path / "cluster"
    folder.mkdir()
    cluster = Cluster(folder)
    try:
        cluster.start("scheduler", "--host", "127.0.0.1", "--port", "0", python_path=None)
        for _ in range(600):  # up to 60 s for the scheduler to write its address
            if cluster.scheduler_file.exists() and cluster.scheduler_file.stat().st_size:
                break
            time.sleep(0.1)
        cluster.worker(PACKAGE_PARENT)
        cluster.worker(PACKAGE_PARENT)
        with distributed.Client(scheduler_file=str(cluster.scheduler_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            yield cluster, client
    finally:
        cluster.stop()


def test_a_real_cluster_writes_what_the_cli_writes(cli, cluster, tmp_path):
    cluster, client = cluster
    paths = sorted(KODAK.glob("kodim*.png"))[:3] or [TEST_DATA / "synthetic_rgb.png"]
    paths += [TEST_DATA / "basn6a08.png"]  # with transparency
    rows = kmquant.dask.compress_files(paths, (16,), tmp_path / "out", client=client)
    check_rows_against_the_cli(cli, rows, paths, (16,), tmp_path)
    assert rows[-1]["transparent"]
    # A worker that cannot import kmquant is named at once; nothing hangs.
    cluster.worker(python_path=None)
    client.wait_for_workers(3, timeout=120)
    with pytest.raises(RuntimeError, match="cannot import kmquant"):
        kmquant.dask.compress_files(paths, (16,), tmp_path / "out2", client=client)
    assert not (tmp_path / "out2").exists()
