"""The dlib models, loaded once per process on first use. The model files ship inside the
`face-recognition-models` package: nothing is downloaded at run time."""

from __future__ import annotations

import threading
from functools import cache

import dlib
import face_recognition_models

_lock = threading.Lock()

# Model identifier stored with every template: a template from another model is not comparable.
MODEL_ID = "dlib-resnet-v1-5pt"


@cache
def _load():
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
    return _load()[0]


def predictor():
    return _load()[1]


def recognizer():
    return _load()[2]
