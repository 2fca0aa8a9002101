"""The repository's promises: CI runs exactly the README's commands."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    """The shell commands in the README's ```bash blocks."""
    blocks = ROOT.joinpath("README.md").read_text().split("```bash\n")[1:]
    return [line for block in blocks for line in block.split("```")[0].splitlines()
            if line and not line.startswith("#")]


def test_ci_runs_exactly_the_readme_test_command():
    test_commands = [c for c in readme_commands() if "pytest" in c]
    assert len(test_commands) == 1, test_commands
    ci_lines = ROOT.joinpath(".ci", "run").read_text().splitlines()
    assert test_commands[0] in ci_lines


def test_readme_builds_the_book_with_jupyter_book():
    assert any(c.endswith("jupyter-book build .") and "pip install -r requirements.txt" in c
               for c in readme_commands())
