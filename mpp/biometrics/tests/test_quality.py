import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from mpp.biometrics import MESSAGES, QualityPolicy, Reason, quality_check, reason_message
from mpp.biometrics.detection import detect_faces

from .conftest import EXTRA, face_path


def reasons(image: Image.Image, **policy) -> tuple[Reason, ...]:
    kwargs = {"policy": QualityPolicy(**policy)} if policy else {}
    return quality_check(np.asarray(image.convert("RGB")), **kwargs).reasons


def test_a_frontal_kiosk_frame_passes_the_gate(kiosk_frame):
    report = quality_check(np.asarray(kiosk_frame))
    assert report.ok
    assert report.measures["faces"] == 1
    assert report.chip.shape == (150, 150, 3)


def test_no_face_is_named():
    assert reasons(Image.new("RGB", (640, 480), (128, 128, 128))) == (Reason.NO_FACE,)


def test_two_faces_are_named():
    assert Reason.MULTIPLE_FACES in reasons(Image.open(EXTRA / "two_faces.jpg"))


def test_a_small_face_is_found_by_the_upsampled_pass_and_named_too_small(kiosk_frame):
    small = np.asarray(kiosk_frame.resize((200, 150)))
    assert len(detect_faces(small, upsample=False)) == 0
    assert len(detect_faces(small)) == 1
    assert reasons(kiosk_frame.resize((200, 150))) == (Reason.FACE_TOO_SMALL,)


def test_a_blurred_face_is_named(kiosk_frame):
    assert reasons(kiosk_frame.filter(ImageFilter.GaussianBlur(3))) == (Reason.TOO_BLURRY,)


def test_a_dark_and_a_glaring_picture_are_named(kiosk_frame):
    assert reasons(ImageEnhance.Brightness(kiosk_frame).enhance(0.25))[0] == Reason.TOO_DARK
    assert reasons(ImageEnhance.Brightness(kiosk_frame).enhance(2.5))[0] == Reason.TOO_BRIGHT


def test_a_face_cut_off_at_the_edge_is_named():
    assert Reason.FACE_CUT_OFF in reasons(Image.open(EXTRA / "partial_face.jpg"))


def test_a_turned_face_is_not_frontal():
    turned = Image.open(face_path("John_Simm", 7))  # nose ~0.17 eye-distances off centre
    assert Reason.NOT_FRONTAL not in reasons(turned, min_face_width=0)
    assert reasons(turned, min_face_width=0, max_yaw=0.1) == (Reason.NOT_FRONTAL,)


def test_every_reason_has_an_indonesian_and_an_english_message():
    for reason in Reason:
        assert MESSAGES[reason]["id"] and MESSAGES[reason]["en"]
    assert reason_message("no_face") == "Wajah tidak terlihat. Hadapkan wajah ke kamera."
    assert reason_message(Reason.NO_FACE, "en-gb").startswith("No face")


def test_the_library_imports_without_django():
    import subprocess
    import sys

    from .conftest import REPO

    code = "import sys, mpp.biometrics; assert not [m for m in sys.modules if 'django' in m]"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)  # noqa: S603
