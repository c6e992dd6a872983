"""Real photographs and camera bursts shared by the face tests of citizens and visits
(mpp/biometrics/tests/data, see its NOTICE.md). Decoding is cheap; the model runs in the
tests. The fixtures built from them (`simm_template`, `face_key`, …) are in the conftests."""

import base64
import functools

from PIL import Image

from mpp.biometrics.tests.conftest import face_path, jpeg_bytes

KEY = base64.b64encode(bytes(range(32))).decode()
NIK_JOHN = "3171010101800003"
NIK_OTHER = "3171010202800004"


def frames_of(name: str, numbers: list[int], size: int = 300) -> list[bytes]:
    return [
        jpeg_bytes(Image.open(face_path(name, n)).resize((size, size), Image.Resampling.LANCZOS))
        for n in numbers
    ]


# Bursts shared by the face tests (decoding is cheap; the model runs in the tests).
ENROL = ("John_Simm", [1, 2, 5])
# A continuous head turn synthesised from two real photos (frontal, turned): bio.attacks.
TURN_LEFT = ("John_Simm", 4, 7)
IMPOSTOR_TURN_RIGHT = ("John_Schneider", 9, 7)


@functools.cache
def _turn(name: str, frontal: int, turned: int) -> tuple[bytes, ...]:
    from mpp.biometrics import attacks

    return tuple(
        attacks.burst_turn(
            Image.open(face_path(name, frontal)), Image.open(face_path(name, turned))
        )
    )


def turn_burst(name: str, frontal: int, turned: int) -> list[bytes]:
    """16 camera frames of `name` facing the camera, then turning (cached per session)."""
    return list(_turn(name, frontal, turned))
