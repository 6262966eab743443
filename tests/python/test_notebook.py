"""The example notebook runs headless from start to end (Debian: python3-nbclient,
python3-ipykernel, python3-matplotlib, python3-pandas; skipped without them) and shows what it
promises: the table, the figures. The executed notebook is kept with the test artifacts."""
import pytest

from conftest import REPO

NOTEBOOK = REPO / "examples" / "kmeans_compression.ipynb"


def test_the_example_notebook_runs(artifacts, monkeypatch):
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets ipykernel's debugger
    for module in ("nbclient", "nbformat", "ipykernel", "matplotlib", "pandas"):
        pytest.importorskip(module, reason=f"{module} is not installed")
    import nbclient
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    try:
        client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    finally:
        nbformat.write(notebook, artifacts / NOTEBOOK.name)

    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    text = "".join(o.get("text", "") for o in outputs)
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert len(figures) == 4  # the original, the comparison, the rate–distortion, the palette
    assert "est. ratio" in text and "PNG bytes" in text  # the CLI's table
    assert "<table" in html and "png_ratio_vs_raw" in html  # the DataFrame
    assert "kodim23-k16.png" in text
