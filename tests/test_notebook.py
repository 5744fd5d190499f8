"""The example notebook is run from top to bottom in a real Jupyter kernel (not just checked to exist):
every code cell must execute without an error, from a fresh folder."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "sweep-notebook.ipynb"


@pytest.mark.slow
def test_the_sweep_notebook_runs_in_a_kernel(tmp_path):
    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    try:
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        cells = [c for c in notebook.cells if c.cell_type == "code"]
        assert len(cells) >= 8
        for number, cell in enumerate(cells, start=1):
            errors = []

            def keep_errors(message, errors=errors):
                if message["msg_type"] == "error":
                    errors.append("\n".join(message["content"]["traceback"]))

            reply = client.execute_interactive(cell.source, timeout=240, output_hook=keep_errors)
            assert reply["content"]["status"] == "ok", f"code cell {number} failed:\n" + "\n".join(errors)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    out = tmp_path / "out" / "sweeps" / "notebook-example"
    assert (out / "contrasts.csv").exists() and (out / "fan.png").exists()
