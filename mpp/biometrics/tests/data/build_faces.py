"""Build the small LFW-layout face set in this folder from the shared photographs.

Usage: .venv/bin/python mpp/biometrics/tests/data/build_faces.py [/path/to/shared/data/faces]

Writes faces/<name>/<name>_0001.jpg (face-centred 250×250 crops like LFW's, or the original
150×150 crops for dlib's "johns"), pairs.txt (LFW pairs format, 10 folds), a few whole photos
for the quality tests in extra/, and NOTICE.md with the sources and licenses. Deterministic.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(REPO))

from mpp.biometrics.detection import detect_faces  # noqa: E402
from mpp.biometrics.images import load_image  # noqa: E402

FR_PEOPLE = {
    "Alex_Lacamoire": [
        "examples/knn_examples/train/alex_lacamoire/img1.jpg",
        "examples/knn_examples/test/alex_lacamoire1.jpg",
        "examples/alex-lacamoire.png",
    ],
    "Joe_Biden": ["examples/biden.jpg", "examples/knn_examples/train/biden/biden2.jpg"],
    "Kit_Harington": [
        "examples/knn_examples/train/kit_harington/john1.jpeg",
        "examples/knn_examples/train/kit_harington/john2.jpeg",
        "examples/knn_examples/test/johnsnow_test1.jpg",
    ],
    "Barack_Obama": [
        "examples/obama.jpg",
        "examples/obama2.jpg",
        "examples/knn_examples/test/obama1.jpg",
        "tests/test_images/obama3.jpg",
        "examples/obama-720p.jpg",
    ],
    "Rose_Leslie": [
        "examples/knn_examples/train/rose_leslie/img1.jpg",
        "examples/knn_examples/train/rose_leslie/img2.jpg",
    ],
}
FOLDS, PER_FOLD = 10, 30


def crop_face(path: Path, size: int = 250) -> Image.Image:
    """A square crop 2.4× the detected face, centred on it, resized to size×size."""
    image = load_image(path)
    faces = detect_faces(image)
    if not faces:
        raise SystemExit(f"no face in {path}")
    face = faces[0]
    side = int(face.width * 2.4)
    cx, cy = face.centre
    left, top = int(cx - side / 2), int(cy - side / 2)
    canvas = Image.new("RGB", (side, side))
    canvas.paste(Image.fromarray(image).crop((left, top, left + side, top + side)))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def deepface_people(source: Path) -> dict[str, list[Path]]:
    """Identities from master.csv: connected groups of "Yes" pairs."""
    parent: dict[str, str] = {}

    def root(name):
        parent.setdefault(name, name)
        while parent[name] != name:
            name = parent[name]
        return name

    for row in csv.DictReader((source / "master.csv").open()):
        a, b = root(row["file_x"]), root(row["file_y"])
        if row["Decision"] == "Yes":
            parent[a] = b
    groups: dict[str, list[str]] = {}
    for name in parent:
        groups.setdefault(root(name), []).append(name)
    ordered = sorted(sorted(group, key=lambda n: int(n[3:-4])) for group in groups.values())
    return {
        f"Deepface_Person_{i:02d}": [source / name for name in group]
        for i, group in enumerate(ordered, 1)
    }


def main(shared: Path) -> None:
    out = HERE / "faces"
    shutil.rmtree(out, ignore_errors=True)
    people: dict[str, int] = {}
    for person_dir in sorted((shared / "dlib-johns").iterdir()):
        if person_dir.is_dir():
            target = out / person_dir.name
            target.mkdir(parents=True)
            for i, photo in enumerate(sorted(person_dir.glob("*.jpg")), 1):
                shutil.copy(photo, target / f"{person_dir.name}_{i:04d}.jpg")
            people[person_dir.name] = i
    sources = {
        name: [shared / "face_recognition" / p for p in paths] for name, paths in FR_PEOPLE.items()
    }
    sources |= deepface_people(shared / "deepface")
    for name, paths in sources.items():
        (out / name).mkdir(parents=True)
        for i, path in enumerate(paths, 1):
            crop_face(path).save(out / name / f"{name}_{i:04d}.jpg", quality=90)
            print(f"{name} {i} <- {path.relative_to(shared)}")
        people[name] = len(paths)
    write_pairs(people, HERE / "pairs.txt")
    write_extra(shared)


def write_pairs(people: dict[str, int], path: Path) -> None:
    rng = random.Random(6)
    genuine_johns, genuine_other = [], []
    for name, count in people.items():
        pairs = [(name, i, j) for i in range(1, count + 1) for j in range(i + 1, count + 1)]
        (genuine_johns if name.startswith("John_") else genuine_other).extend(pairs)
    rng.shuffle(genuine_johns)
    genuine = genuine_other + genuine_johns[: FOLDS * PER_FOLD - len(genuine_other)]
    rng.shuffle(genuine)
    names = sorted(people)
    impostor: set[tuple] = set()
    while len(impostor) < FOLDS * PER_FOLD:
        a, b = rng.sample(names, 2)
        impostor.add((a, rng.randint(1, people[a]), b, rng.randint(1, people[b])))
    impostor_list = sorted(impostor)
    rng.shuffle(impostor_list)
    lines = [f"{FOLDS}\t{PER_FOLD}"]
    for fold in range(FOLDS):
        for name, i, j in genuine[fold * PER_FOLD : (fold + 1) * PER_FOLD]:
            lines.append(f"{name}\t{i}\t{j}")
        for a, i, b, j in impostor_list[fold * PER_FOLD : (fold + 1) * PER_FOLD]:
            lines.append(f"{a}\t{i}\t{b}\t{j}")
    path.write_text("\n".join(lines) + "\n")


def write_extra(shared: Path) -> None:
    """Whole photos for the quality and liveness tests, downscaled to keep the repo small."""
    extra = HERE / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    fr = shared / "face_recognition"
    Image.open(shared / "deepface/couple.jpg").convert("RGB").resize((800, 557)).save(
        extra / "two_faces.jpg", quality=85
    )
    partial = Image.open(fr / "tests/test_images/obama_partial_face.jpg").convert("RGB")
    partial.resize((246, 568)).save(extra / "partial_face.jpg", quality=85)
    frame = Image.open(fr / "examples/obama-480p.jpg").convert("RGB").crop((100, 0, 740, 480))
    frame.save(extra / "kiosk_frame_640x480.jpg", quality=90)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/data/faces")
