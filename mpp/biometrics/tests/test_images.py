import io

import numpy as np
import pytest
from PIL import Image

from mpp.biometrics import FaceError, Reason, load_image

from .conftest import EXTRA, jpeg_bytes


def refusal(source, **limits) -> Reason:
    with pytest.raises(FaceError) as caught:
        load_image(source, **limits)
    return caught.value.reason


def test_a_jpeg_upload_decodes_to_rgb_pixels():
    pixels = load_image((EXTRA / "kiosk_frame_640x480.jpg").read_bytes())
    assert pixels.shape == (480, 640, 3)
    assert pixels.dtype == np.uint8


def test_a_png_with_transparency_and_a_grey_array_become_three_channels():
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 64), (10, 20, 30, 128)).save(buffer, format="PNG")
    assert load_image(buffer.getvalue()).shape == (64, 64, 3)
    assert load_image(np.zeros((64, 64), dtype=np.uint8)).shape == (64, 64, 3)


def test_a_camera_that_gives_nothing_is_named():
    assert refusal(b"") == Reason.IMAGE_EMPTY
    assert refusal(np.zeros((0, 0, 3), dtype=np.uint8)) == Reason.IMAGE_EMPTY


def test_a_corrupt_jpeg_is_unreadable():
    data = (EXTRA / "kiosk_frame_640x480.jpg").read_bytes()
    assert refusal(data[:200]) == Reason.IMAGE_UNREADABLE


def test_a_non_image_upload_is_unreadable():
    assert refusal(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n") == Reason.IMAGE_UNREADABLE
    assert refusal(b"Nama: Budi\nNIK: rahasia\n") == Reason.IMAGE_UNREADABLE


def test_an_image_format_outside_the_allowed_list_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, format="GIF")
    assert refusal(buffer.getvalue()) == Reason.IMAGE_FORMAT


def test_a_huge_image_is_refused_from_its_header_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")  # small file, 144 MP
    assert len(buffer.getvalue()) < 1_000_000
    assert refusal(buffer.getvalue()) == Reason.IMAGE_TOO_LARGE


def test_a_file_over_the_byte_limit_is_refused():
    data = jpeg_bytes(np.zeros((64, 64, 3), dtype=np.uint8))
    assert refusal(data, max_bytes=len(data) - 1) == Reason.IMAGE_TOO_LARGE
