"""The README's example and the main job keep working."""

import importlib.util
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_example_runs(capsys):
    text = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    values = [float(v) for v in re.findall(r"-?\d+\.\d+", printed)]
    assert values == [1.0, -2.0, 0.5]


def test_spirals_example_learns():
    spec = importlib.util.spec_from_file_location(
        "train_spirals", ROOT / "examples" / "train_spirals.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(epochs=30) > 0.95


def test_readme_commands_point_at_real_scripts():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert commands == ["uv run python examples/quickstart.py", "uv run pytest"]
    assert (ROOT / "examples" / "quickstart.py").is_file()
