"""kmquant.dask: batches on a Dask cluster, every output checked against a single-process run
(Debian: python3-dask, python3-distributed; skipped without them)."""
import math
import os

import pytest

import kmquant
from conftest import TEST_DATA, kodak_images

dask = pytest.importorskip("dask", reason="python3-dask is not installed")
import kmquant.dask  # noqa: E402  (needs dask)

KS = (4, 16)

# distributed 2022.12 on Debian 12 uses a tornado call that newer tornado deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")


def expected_rows(paths, ks, out_dir, scratch, **options):
    """What the batch must give, computed here in one process with the plain module: the rows,
    and the bytes of each PNG it must write (saved in `scratch` to get them)."""
    rows, pngs = [], {}
    for path in paths:
        table = kmquant.sweep(path, ks, **options)
        for result, record in zip(table, table.to_records()):
            file = os.path.join(out_dir, f"{path.stem}-k{result.k}.png")
            kmquant.save(scratch / "expected.png", result)
            pngs[file] = (scratch / "expected.png").read_bytes()
            record.update(file=file, input=str(path), width=table.table.width,
                          height=table.table.height, unique_colors=table.table.unique_colors,
                          input_bytes=table.table.input_bytes, seed=table.table.seed)
            rows.append(record)
    return rows, pngs


def check_batch(rows, expected, pngs):
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected):
        assert row.pop("seconds") >= 0
        want.pop("seconds")
        assert row == want
    for file, png in pngs.items():
        with open(file, "rb") as written:
            assert written.read() == png, file


def test_local_cluster_of_two_workers_over_kodak(tmp_path):
    distributed = pytest.importorskip("distributed", reason="python3-distributed is missing")
    paths = kodak_images(6)
    out_dir = tmp_path / "out"
    expected, pngs = expected_rows(paths, KS, str(out_dir), tmp_path, seed=3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream:
            rows = kmquant.dask.compress_files(paths, KS, out_dir, client=client, seed=3)
        workers = {task["worker"] for task in stream.data}
        assert workers <= set(cluster.scheduler_info["workers"]) and len(workers) >= 1
        assert len(stream.data) == len(paths)
    check_batch(rows, expected, pngs)
    assert sorted(os.listdir(out_dir)) == sorted(os.path.basename(f) for f in pngs)


def test_default_scheduler_without_a_cluster(tmp_path):
    """No client: Dask's default scheduler (threads here); files in the repository, so this
    runs in any clone."""
    paths = [TEST_DATA / name for name in ("synthetic_rgb.png", "basn6a08.png", "basn3p02.png")]
    expected, pngs = expected_rows(paths, (2, 8, 2), str(tmp_path / "out"), tmp_path)
    rows = kmquant.dask.compress_files(paths, (2, 8, 2), tmp_path / "out")
    check_batch(rows, expected, pngs)
    lossless = [row for row in rows if row["input"].endswith("basn3p02.png") and row["k"] == 8]
    assert lossless[0]["lossless"] and math.isinf(lossless[0]["psnr"])


def test_without_out_dir_nothing_is_written(tmp_path):
    rows = kmquant.dask.compress_files([TEST_DATA / "synthetic_rgb.png"], (3,))
    assert rows[0]["file"] == "" and rows[0]["k"] == 3
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
