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
