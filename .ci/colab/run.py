"""Execute the course's Colab notebooks as a learner meets them in Colab (called by .ci/colab/run).

Runs inside the virtualenv that ``.ci/colab/run`` made with Colab's versions of the packages
(``constraints.txt``). Each notebook of the folder runs in order, from top to bottom, in a fresh
kernel of that virtualenv, in quick mode, with one empty model folder for the whole job, in an empty
working directory (Colab's ``/content``: the course must come from its own install cell, not from
the checkout), with a stand-in ``google.colab`` module so that the notebooks' Colab branches run. The
first cell's ``%pip install "git+https://github.com/digitcourse/digitcourse"`` installs the course:
git resolves that URL to this checkout (its committed HEAD) through a temporary git configuration.

Each notebook starts from Colab's runtime as a new Colab session does: what an earlier notebook
installed is uninstalled again (and what it changed reinstalled), so that every notebook's own
install cell installs the course.

The job fails, naming notebook and cell, on a cell's error; on a pip ``ERROR`` line, a TensorFlow or
absl log line, a traceback or a Python warning in any output; and on any package of the Colab runtime
whose version changed while the notebooks ran (new packages are fine).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
#: The longest a single cell may run (quick mode's longest cells take a few minutes on 2 cores).
CELL_TIMEOUT = 1800

#: What must not be in any output of a cell (stream, text/plain, error), by name.
CHECKS = {
    "a pip ERROR line": re.compile(r"^ERROR: .*", re.MULTILINE),
    "a TensorFlow/absl log line": re.compile(
        r"^[IWEF]\d{4} .*"                                      # absl's C++ line format, I0000 00:00:...
        r"|.*absl::InitializeLog.*"                            # "WARNING: All log messages before ..."
        r"|.*\.cc:\d+\].*"                                     # file.cc:123] of any C++ log line
        r"|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] .*"    # TensorFlow's older own format
        r"|^(?:INFO|WARNING|ERROR):(?:absl|tensorflow):.*"     # absl's and TensorFlow's Python logging
        r"|.*triggered tf\.function retracing.*",              # TensorFlow's retracing warning, however logged
        re.MULTILINE),
    "a traceback": re.compile(r".*Traceback \(most recent call last\).*"),
    "a Python warning": re.compile(r".*\b\w*Warning: .*"),    # warnings.showwarning's "...: UserWarning: ..."
}

#: The stand-in for Colab's own module: present, so ``"google.colab" in sys.modules`` holds, without a
#: ``google`` package of its own (protobuf's namespace package ``google`` must stay importable).
#: ``files.upload()`` returns one "photo" of a handwritten digit, dark ink on white paper: MNIST's first
#: test image, inverted and enlarged, as a reader's upload.
SITECUSTOMIZE = '''\
"""Stand-in for Google Colab's ``google.colab`` module (written by .ci/colab/run.py)."""
import sys
import types


def _upload():
    import io, os
    import numpy as np
    from PIL import Image
    with np.load(os.environ["DIGITCOURSE_MNIST"]) as data:
        digit = data["x_test"][0]
    photo = Image.fromarray(255 - digit).resize((280, 280), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    print("Saving my_digit.png to my_digit.png")  # what Colab prints after an upload
    return {"my_digit.png": buffer.getvalue()}


colab = types.ModuleType("google.colab")
colab.files = types.ModuleType("google.colab.files")
colab.files.upload = _upload
sys.modules["google.colab"] = colab
sys.modules["google.colab.files"] = colab.files
'''


def repository_url() -> str:
    """The repository that the notebooks install from, as _config.yml names it."""
    match = re.search(r"^repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+url:\s*(\S+)", (ROOT / "_config.yml").read_text(),
                      re.MULTILINE)
    if not match:
        sys.exit("colab: no repository url in _config.yml")
    return match.group(1).strip("\"'")


def freeze() -> str:
    """``pip freeze --all`` of this virtualenv."""
    return subprocess.run([sys.executable, "-m", "pip", "freeze", "--all"], capture_output=True, text=True,
                          check=True).stdout


def installed() -> dict[str, str]:
    """Every installed distribution of this virtualenv: name -> version (or direct reference)."""
    packages = {}
    for line in freeze().splitlines():
        name, _, version = line.partition(" @ ") if " @ " in line else line.partition("==")
        if version:
            packages[re.sub(r"[-_.]+", "-", name).lower()] = version
    return packages


def restore(colab: dict[str, str]) -> None:
    """Bring this virtualenv back to the Colab runtime ``colab`` (from :func:`installed`)."""
    now = installed()
    added = sorted(name for name in now if name not in colab)
    changed = sorted(name for name, version in colab.items() if now.get(name) != version)
    if added:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", *added], check=True)
    if changed:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        *(f"{name}=={colab[name]}" for name in changed)], check=True)
    if added or changed:
        print(f"colab: back to Colab's runtime: {', '.join(added + changed)} uninstalled or reinstalled", flush=True)


def output_text(output) -> str:
    """The text a reader sees of one output: a stream, text/plain, or an error's traceback."""
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join([f"{output.ename}: {output.evalue}", *output.traceback])
    return output.get("data", {}).get("text/plain", "")


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def check_outputs(name: str, notebook) -> list[str]:
    """One message for each forbidden line in a cell's outputs."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        # A cell's error is reported by execute() already; here, what the other outputs show.
        text = strip_ansi("".join(output_text(o) for o in cell.get("outputs", []) if o.output_type != "error"))
        for what, pattern in CHECKS.items():
            lines = [m.group(0).strip() for m in pattern.finditer(text)]
            if lines:
                problems.append(f"{name}, cell {index} ({first_line(cell)}): {what}: {lines[0][:300]}"
                                + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""))
    return problems


def first_line(cell) -> str:
    lines = [line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")]
    return repr(lines[0][:60]) if lines else "comments only"


def prepare(work: Path) -> Path:
    """Set this process's environment for the kernels it starts; return the folder of their working
    directories (Colab's ``/content``, one for each notebook)."""
    url = repository_url()
    gitconfig = work / "gitconfig"
    gitconfig.write_text(f'[url "file://{ROOT}"]\n\tinsteadOf = {url}\n'
                         "[uploadpack]\n\tallowFilter = true\n")  # pip clones with --filter=blob:none
    site = work / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    # The kernel of this virtualenv, whatever kernels this machine has installed elsewhere.
    kernel = work / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    kernel.joinpath("kernel.json").write_text(
        '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], '
        '"display_name": "Python 3", "language": "python"}' % sys.executable)
    models = work / "models"  # empty: the chapters train what they need, as in a new Colab session
    models.mkdir()
    content = work / "content"
    content.mkdir()
    for name in list(os.environ):
        # CI's own settings, and its virtualenv (IPython would add that one's site-packages to sys.path).
        if name.startswith(("DIGITCOURSE_", "TF_", "JUPYTER_")) or name in (
                "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND"):
            del os.environ[name]
    os.environ.update({
        "DIGITCOURSE_QUICK": "1",
        "DIGITCOURSE_MODELS": str(models),
        "DIGITCOURSE_MNIST": str(SHARED / "data" / "mnist.npz"),
        "DIGITCOURSE_USPS": str(SHARED / "data" / "usps"),  # the folder of zip.train.gz and zip.test.gz
        "PYTHONPATH": str(site),
        "JUPYTER_PATH": str(work / "jupyter"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PIP_CONFIG_FILE": os.devnull,  # Colab's pip has no configuration file
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's note on frozen modules, in the job's log
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    })
    print(f"colab: {url} -> file://{ROOT} (its committed HEAD); models in {models}; working directories in {content}")
    return content


def execute(path: Path, content: Path, executed: Path) -> tuple[float, list[str]]:
    """Run one notebook; return its wall time and what went wrong."""
    notebook = nbformat.read(path, as_version=4)
    cwd = content / path.stem  # each session's own /content
    cwd.mkdir()
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    problems = []
    start = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failed = next((i for i, c in enumerate(notebook.cells) if c.cell_type == "code"
                       and any(o.output_type == "error" for o in c.get("outputs", []))), None)
        where = f"cell {failed} ({first_line(notebook.cells[failed])})" if failed is not None else "a cell"
        if isinstance(error, CellExecutionError):
            summary = f"{error.ename}: {' '.join(strip_ansi(error.evalue).split())}"
        else:
            summary = f"{type(error).__name__}: {' '.join(strip_ansi(str(error)).split())}"
        problems.append(f"{path.name}, {where}: {summary[:300]}")
    seconds = time.perf_counter() - start
    nbformat.write(notebook, executed / path.name)
    return seconds, problems + check_outputs(path.name, notebook)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, help="folder of the notebooks to execute, in name order")
    parser.add_argument("--work", type=Path, required=True, help="an empty folder for this job's files")
    args = parser.parse_args()
    notebooks = sorted(args.notebooks.glob("*.ipynb"))
    if not notebooks:
        print(f"colab: no notebooks in {args.notebooks}", file=sys.stderr)
        return 1
    content = prepare(args.work)
    executed = args.work / "executed"
    executed.mkdir()
    colab = installed()
    (args.work / "pip-freeze.txt").write_text(freeze())
    print(f"colab: the Colab runtime's {len(colab)} packages are in {args.work / 'pip-freeze.txt'}")
    problems, times = [], {}
    for path in notebooks:
        restore(colab)  # a new Colab session for each notebook
        seconds, found = execute(path, content, executed)
        times[path.name] = seconds
        now = installed()
        changed = [name for name, version in colab.items() if now.get(name) != version]
        if changed:
            installs = [f"cell {i}" for i, c in enumerate(nbformat.read(path, as_version=4).cells)
                        if c.cell_type == "code" and "pip install" in c.source]
            found.append(f"{path.name} ({', '.join(installs) or 'no pip install cell'}): changed Colab's packages: "
                         + ", ".join(f"{name} {colab[name]} -> {now.get(name, 'removed')}" for name in changed))
        print(f"colab: {path.name}: {seconds:.0f} s" + (f", {len(found)} problem(s)" if found else ""), flush=True)
        for problem in found:
            print(f"  {problem}", flush=True)
        problems += found
    (args.work / "pip-freeze-after.txt").write_text(freeze())
    print(f"colab: {len(notebooks)} notebooks in {sum(times.values()):.0f} s; executed notebooks in {executed}")
    if problems:
        print(f"colab: FAILED, {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
