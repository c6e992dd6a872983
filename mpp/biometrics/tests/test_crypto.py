import numpy as np
import pytest

from mpp.biometrics import FaceError, Reason, template_decrypt, template_encrypt, template_key_new
from mpp.biometrics.embedding import DIMENSIONS, normalise

KEY = bytes(range(32))


@pytest.fixture
def template():
    return normalise(np.random.default_rng(3).standard_normal(DIMENSIONS))


def refusal(blob, **kwargs) -> Reason:
    with pytest.raises(FaceError) as caught:
        template_decrypt(blob, **kwargs)
    return caught.value.reason


def test_a_template_round_trips(template):
    blob = template_encrypt(template, key=KEY, citizen_id=42)
    assert np.array_equal(template_decrypt(blob, key=KEY, citizen_id=42), template)
    assert template.tobytes() not in blob


def test_each_encryption_uses_a_fresh_nonce(template):
    assert template_encrypt(template, key=KEY, citizen_id=42) != template_encrypt(
        template, key=KEY, citizen_id=42
    )


def test_the_wrong_key_does_not_open_it(template):
    blob = template_encrypt(template, key=KEY, citizen_id=42)
    assert refusal(blob, key=template_key_new(), citizen_id=42) == Reason.TEMPLATE_INVALID


def test_another_citizens_id_does_not_open_it(template):
    blob = template_encrypt(template, key=KEY, citizen_id=42)
    assert refusal(blob, key=KEY, citizen_id=43) == Reason.TEMPLATE_INVALID


def test_a_tampered_or_truncated_blob_does_not_open(template):
    blob = bytearray(template_encrypt(template, key=KEY, citizen_id="a1b2"))
    blob[-20] ^= 1
    assert refusal(bytes(blob), key=KEY, citizen_id="a1b2") == Reason.TEMPLATE_INVALID
    assert refusal(bytes(blob[:20]), key=KEY, citizen_id="a1b2") == Reason.TEMPLATE_INVALID


def test_a_key_of_the_wrong_length_is_a_programming_error(template):
    with pytest.raises(ValueError, match="32 bytes"):
        template_encrypt(template, key=b"short", citizen_id=1)
