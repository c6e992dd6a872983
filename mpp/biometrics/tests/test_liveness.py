"""Liveness from real photographs. A "turn" burst is made of real photos of one man, frontal
then turned (dlib's John Simm crops, nose ~0.17 eye-distances off centre when turned); the
attacks are a replayed frame and a still photo moved in front of the camera."""

import numpy as np
import pytest
from PIL import Image

from mpp.biometrics import (
    PROMPTS,
    Action,
    Challenge,
    Reason,
    challenge_new,
    compare,
    liveness_check,
)

from .conftest import face_path, jpeg_bytes

TURN_LEFT = Challenge(actions=(Action.TURN_LEFT,))
TURN_RIGHT = Challenge(actions=(Action.TURN_RIGHT,))


def frames_of(name: str, numbers: list[int], size: int = 300) -> list[bytes]:
    """Real photos scaled to a kiosk-like face size, as JPEG camera frames."""
    return [
        jpeg_bytes(Image.open(face_path(name, n)).resize((size, size), Image.Resampling.LANCZOS))
        for n in numbers
    ]


def handheld_photo(photo: Image.Image, count: int = 8, *, zoom: float = 0.0) -> list[bytes]:
    """A printed photo held up and moved: shifted, tilted back and forth about the vertical axis
    (a horizontal squeeze), slightly rotated, and optionally brought closer."""
    rng = np.random.default_rng(5)
    frames = []
    for i in range(count):
        canvas = Image.new("RGB", (640, 480), (90, 90, 90))
        scale = 1.0 + zoom * i / (count - 1)
        squeeze = 1.0 - 0.35 * abs(np.sin(i))  # the print turned up to ~50° each way
        w, h = int(300 * scale * squeeze), int(300 * scale)
        held = photo.resize((w, h)).rotate(float(rng.uniform(-4, 4)), expand=False)
        canvas.paste(held, (320 - w // 2 + int(rng.integers(-15, 15)), 240 - h // 2))
        frames.append(jpeg_bytes(canvas))
    return frames


def test_a_person_turning_left_as_asked_passes_and_yields_their_embedding():
    frames = frames_of("John_Simm", [4, 10, 3, 8, 7, 7])
    result = liveness_check(frames, TURN_LEFT)
    assert result.passed, result
    enrolled = frames_of("John_Simm", [2])[0]
    from mpp.biometrics import face_sample

    assert compare(result.embedding, face_sample(enrolled).embedding).match


def test_a_person_turning_right_as_asked_passes():
    assert liveness_check(frames_of("John_Schneider", [9, 4, 2, 11, 7, 7]), TURN_RIGHT).passed


def test_turning_the_other_way_is_the_wrong_motion():
    result = liveness_check(frames_of("John_Simm", [4, 10, 3, 8, 7, 7]), TURN_RIGHT)
    assert result.reason == Reason.LIVENESS_WRONG_MOTION


def test_a_replayed_single_frame_is_a_still_image():
    frame = frames_of("John_Simm", [4])[0]
    assert liveness_check([frame] * 8, TURN_LEFT).reason == Reason.LIVENESS_STILL_IMAGE


def test_a_frame_replayed_with_camera_noise_is_a_still_image():
    photo = np.asarray(Image.open(face_path("John_Simm", 4)).resize((300, 300)), dtype=np.int16)
    rng = np.random.default_rng(0)
    noisy = [
        jpeg_bytes(np.clip(photo + rng.integers(-6, 7, photo.shape), 0, 255).astype(np.uint8))
        for _ in range(8)
    ]
    assert liveness_check(noisy, TURN_LEFT).reason == Reason.LIVENESS_STILL_IMAGE


@pytest.mark.parametrize("challenge", [TURN_LEFT, TURN_RIGHT])
def test_a_still_photo_moved_and_tilted_in_front_of_the_camera_is_refused(kiosk_frame, challenge):
    photo = kiosk_frame.crop((200, 0, 520, 320))
    result = liveness_check(handheld_photo(photo), challenge)
    assert not result.passed
    assert result.reason == Reason.LIVENESS_MOTION_NOT_SEEN, result.measures


def test_a_photo_brought_closer_passes_come_closer_but_not_the_turn(kiosk_frame):
    photo = kiosk_frame.crop((200, 0, 520, 320))
    frames = handheld_photo(photo, zoom=0.5)
    assert liveness_check(frames, Challenge(actions=(Action.COME_CLOSER,))).passed
    both = Challenge(actions=(Action.COME_CLOSER, Action.TURN_LEFT))
    assert liveness_check(frames, both).reason == Reason.LIVENESS_MOTION_NOT_SEEN


def test_a_different_face_swapped_in_during_the_burst_is_refused():
    frames = frames_of("John_Simm", [4, 10, 8, 7]) + frames_of("John_Salley", [1, 2])
    assert liveness_check(frames, TURN_LEFT).reason == Reason.LIVENESS_DIFFERENT_FACE


def test_starting_already_turned_is_refused():
    frames = frames_of("John_Simm", [7, 7, 8, 7, 7, 8])
    assert liveness_check(frames, TURN_LEFT).reason == Reason.LIVENESS_NOT_FACING_FIRST


def test_too_few_or_broken_frames_are_named():
    frames = frames_of("John_Simm", [4, 10])
    assert liveness_check(frames, TURN_LEFT).reason == Reason.LIVENESS_TOO_FEW_FRAMES
    assert liveness_check(frames + [b"", b"garbage"] * 2, TURN_LEFT).reason == (
        Reason.LIVENESS_TOO_FEW_FRAMES
    )


def test_a_challenge_always_asks_for_a_head_turn_in_a_random_direction():
    challenges = [challenge_new() for _ in range(60)]
    turns = {
        c.actions[[a != Action.COME_CLOSER for a in c.actions].index(True)] for c in challenges
    }
    assert turns == {Action.TURN_LEFT, Action.TURN_RIGHT}
    assert Action.COME_CLOSER in challenge_new(approach=True).actions
    assert challenge_new(approach=False).actions in ((Action.TURN_LEFT,), (Action.TURN_RIGHT,))
    assert len({c.nonce for c in challenges}) == 60


def test_every_prompt_is_written_in_indonesian_and_english():
    for action in Action:
        assert PROMPTS[action]["id"] and PROMPTS[action]["en"]
