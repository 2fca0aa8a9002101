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


def workflow_commands(name):
    """The shell commands of a workflow's `run:` steps, one per line."""
    import yaml

    workflow = yaml.safe_load(ROOT.joinpath(".github", "workflows", name).read_text())
    return [line.strip() for job in workflow["jobs"].values() for step in job.get("steps", [])
            for line in step.get("run", "").splitlines() if line.strip()]


def test_the_publishing_workflow_builds_the_book_as_the_readme_and_ci_do():
    """The README's build command, split at `&&`, is what the workflow runs (the build with the
    same strict flags as .ci/run), so a reader's build, CI's and the published one stay the same."""
    [build] = [c for c in readme_commands() if "jupyter-book build" in c]
    install, jupyter_book = (part.strip() for part in build.split("&&"))
    commands = workflow_commands("publish.yml")
    assert install in commands
    [workflow_build] = [c for c in commands if c.startswith(jupyter_book)]
    assert workflow_build in ROOT.joinpath(".ci", "run").read_text().splitlines()
