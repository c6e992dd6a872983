"""The vendored model files: checked by SHA-256 before loading; a missing or altered file is
a clear error naming the file and the script that restores it, never wrong embeddings."""

import shutil

import numpy as np
import pytest

from mpp.biometrics import ModelFileError, engine, models_check


def test_the_shipped_model_files_pass_their_checksum():
    models_check()
    assert engine.model_path("MobileFaceNet.tflite").stat().st_size == 5_233_396


def test_a_missing_model_file_is_a_clear_start_up_error(tmp_path):
    with pytest.raises(ModelFileError) as caught:
        engine.model_path("MobileFaceNet.tflite", directory=tmp_path)
    assert "missing" in str(caught.value) and "scripts/face_models.py" in str(caught.value)


def test_an_altered_model_file_is_refused(tmp_path):
    copy = tmp_path / "MobileFaceNet.tflite"
    shutil.copyfile(engine.MODELS_DIR / "MobileFaceNet.tflite", copy)
    with copy.open("r+b") as handle:  # one byte of the weights changed
        handle.seek(100_000)
        byte = handle.read(1)
        handle.seek(100_000)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ModelFileError) as caught:
        engine.model_path("MobileFaceNet.tflite", directory=tmp_path)
    assert "SHA-256" in str(caught.value) and engine.MODEL_FILES["MobileFaceNet.tflite"] in str(
        caught.value
    )


def test_the_django_app_refuses_to_start_without_the_model(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    pytest.importorskip("django")
    from mpp.citizens.apps import CitizensConfig

    monkeypatch.setattr(engine, "MODELS_DIR", tmp_path)
    import mpp.citizens

    with pytest.raises(ImproperlyConfigured, match="missing"):
        CitizensConfig("mpp.citizens", mpp.citizens).ready()


def test_a_web_worker_loads_the_face_models_at_start_when_asked(settings, monkeypatch):
    """FACE_WARM_MODELS: config/wsgi.py loads every model when the worker imports it, so the
    first face check-in does not wait for them (the load generator saw 24 s)."""
    import importlib

    import config.wsgi

    loaded = []
    monkeypatch.setattr(engine, "models_warm", lambda: loaded.append(True))
    settings.FACE_WARM_MODELS = False
    importlib.reload(config.wsgi)
    assert loaded == []
    settings.FACE_WARM_MODELS = True
    importlib.reload(config.wsgi)
    assert loaded == [True]


def test_models_warm_loads_every_model_the_pipeline_uses():
    engine.models_warm()
    for loader in (engine._dlib, engine.cnn_detector, engine.mobilefacenet, engine.antispoofing):
        assert loader.cache_info().currsize == 1
    from mpp.biometrics.cohort import cohort_for

    assert cohort_for.cache_info().currsize >= len(engine.COHORTS)


@pytest.mark.parametrize("name", sorted(engine.MODEL_FILES))
def test_every_vendored_network_is_checked_before_it_loads(tmp_path, name):
    copy = tmp_path / name
    shutil.copyfile(engine.MODELS_DIR / name, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 1
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="SHA-256"):
        engine.model_path(name, directory=tmp_path)


def test_onet_puts_the_five_landmarks_on_the_eyes_nose_and_mouth_of_a_real_photo():
    """ONet's points (decision 0049) against dlib's own landmarks on the same photograph: the
    eyes within a fifth of the eye distance of dlib's eye centres, the nose tip above the mouth
    corners and between the eyes, the mouth corners below the nose."""
    from mpp.biometrics.detection import detect_faces
    from mpp.biometrics.embedding import onet_chip, onet_landmarks
    from mpp.biometrics.images import load_image

    from .conftest import face_path

    image = load_image(face_path("Barack_Obama", 1).read_bytes())
    face = detect_faces(image)[0]
    points = onet_landmarks(image, face)
    dlib_left_eye = (face.landmarks[2] + face.landmarks[3]) / 2  # image-left eye
    dlib_right_eye = (face.landmarks[0] + face.landmarks[1]) / 2
    eye_distance = float(np.hypot(*(dlib_right_eye - dlib_left_eye)))
    assert np.hypot(*(points[0] - dlib_left_eye)) < eye_distance / 5
    assert np.hypot(*(points[1] - dlib_right_eye)) < eye_distance / 5
    nose, mouth_left, mouth_right = points[2], points[3], points[4]
    assert points[0][0] < nose[0] < points[1][0]
    assert nose[1] < min(mouth_left[1], mouth_right[1])
    assert mouth_left[0] < mouth_right[0]
    chip = onet_chip(image, face)
    assert chip.shape == (112, 112, 3) and chip.dtype == np.uint8
