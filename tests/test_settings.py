"""Settings come from the environment and refuse values they cannot read."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(**env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_misspelt_yes_no_setting_stops_start_up_and_names_the_variable():
    result = _load_settings(SECURE_SSL_REDIRECT="Ture")
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT='Ture'" in result.stderr


def test_yes_no_settings_accept_the_usual_words():
    for word in ("1", "true", "Yes", "ON", "0", "false", "no", "off", ""):
        assert _load_settings(SECURE_SSL_REDIRECT=word).returncode == 0, word


def test_face_thresholds_that_are_not_an_object_stop_start_up_and_name_the_variable():
    for value in ("[0.5]", "0.5", "null"):
        result = _load_settings(FACE_THRESHOLDS=value)
        assert result.returncode != 0 and "FACE_THRESHOLDS must be a JSON object" in result.stderr
    assert _load_settings(FACE_THRESHOLDS='{"verify": 0.6}').returncode == 0
