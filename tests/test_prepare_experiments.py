"""prepare_experiments.py: one quoted run command per experiment, mistakes named by entry, runnable by GNU parallel."""

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.experiment_runs import QUIET, tiny_config
from text_recognizer import settings
from training.prepare_experiments import main

SAMPLE = REPO / "training" / "experiments" / "sample.json"


def commands(capsys, *args: str) -> list[list[str]]:
    assert main([*args]) == 0
    return [shlex.split(line) for line in capsys.readouterr().out.splitlines()]


def test_one_command_per_experiment_with_its_group(capsys):
    study = json.loads(SAMPLE.read_text())
    printed = commands(capsys, str(SAMPLE), "--nowandb")
    assert len(printed) == len(study["experiments"])
    for words, experiment in zip(printed, study["experiments"], strict=True):
        assert words[:5] == ["python", "training/run_experiment.py", "--gpu=-1", "--nowandb", words[4]]
        assert json.loads(words[4]) == {"experiment_group": study["experiment_group"], **experiment}
    networks = [json.loads(words[4])["network"] for words in printed]
    depths = [json.loads(words[4]).get("network_args", {}).get("num_layers") for words in printed]
    assert networks.count("mlp") >= 3 and "lenet" in networks and len(set(depths)) >= 3  # mlp depths vs a lenet


def test_quotes_survive_the_shell(tmp_path, capsys):
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"experiment_group": 'it\'s "odd" $HOME', "experiments": [tiny_config()]}))
    [words] = commands(capsys, str(odd))
    assert json.loads(words[-1])["experiment_group"] == 'it\'s "odd" $HOME'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "not valid JSON"),
        ('{"experiments": []}', '"experiments": [{config}, ...]'),
        ('{"experiments": [1]}', "Experiment 1 in"),
        (json.dumps({"experiments": [tiny_config(), tiny_config(network="lenett")]}), "Experiment 2 (lenett) in"),
        (json.dumps({"experiments": [tiny_config(train_args={"epoch": 1})]}), "did you mean 'epochs'"),
    ],
)
def test_malformed_files_name_the_entry(tmp_path, capsys, content, expected):
    study = tmp_path / "study.json"
    study.write_text(content)
    with pytest.raises(SystemExit) as ended:
        main([str(study)])
    assert ended.value.code == 2
    captured = capsys.readouterr()
    assert expected in captured.err and captured.out == ""


@pytest.mark.slow
def test_piped_to_gnu_parallel(isolated_runs, tmp_path):
    if shutil.which("parallel") is None:
        pytest.fail("GNU parallel is missing: apt-get install parallel (.ci/run installs it).")
    study = tmp_path / "study.json"
    experiments = [tiny_config(network_args={"layer_size": size, "num_layers": 1}) for size in (16, 32)]
    study.write_text(json.dumps({"experiment_group": "piped", "experiments": experiments}))
    env = {
        **os.environ,
        **QUIET,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",  # the printed commands say `python`
        settings.SIMULATED_GPUS_ENV: "2",
        settings.GPU_LOCK_DIR_ENV: str(tmp_path / "locks"),
        "CUDA_VISIBLE_DEVICES": "0,1",  # whatever the outer environment hides
    }
    pipeline = f"{shlex.quote(sys.executable)} training/prepare_experiments.py {shlex.quote(str(study))} | parallel -j2"
    result = subprocess.run(pipeline, shell=True, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    records = sorted(settings.runs_dir().glob("*/metrics.json"))
    assert len(records) == 2
    configs = [json.loads((path.parent / "config.json").read_text()) for path in records]
    assert sorted(config["network_args"]["layer_size"] for config in configs) == [16, 32]
    assert {config["experiment_group"] for config in configs} == {"piped"}
    assert result.stderr.count("Training on GPU") == 2
