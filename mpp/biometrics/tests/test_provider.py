import pytest

from mpp.biometrics import VERIFY_THRESHOLD, FakeIdentityProvider, provider_load

from .conftest import EXTRA, face_path


@pytest.fixture(scope="module")
def provider():
    fake = FakeIdentityProvider()
    fake.register(nik="3201010101010001", image=face_path("Barack_Obama", 1).read_bytes())
    return fake


def test_the_registered_person_is_confirmed_with_a_score(provider):
    answer = provider.verify(
        nik="3201010101010001", image=face_path("Barack_Obama", 2).read_bytes()
    )
    assert (
        answer.matched and answer.score > VERIFY_THRESHOLD and answer.reference.startswith("fake-")
    )


def test_someone_else_claiming_the_nik_is_refused(provider):
    answer = provider.verify(nik="3201010101010001", image=face_path("Joe_Biden", 1).read_bytes())
    assert not answer.matched and answer.reason is None


def test_unknown_nik_bad_image_and_outage_give_a_reason(provider):
    image = face_path("Joe_Biden", 1).read_bytes()
    assert provider.verify(nik="3201010101010002", image=image).reason == "unknown_nik"
    assert provider.verify(nik="3201010101010001", image=b"not an image").reason == (
        "image_unreadable"
    )
    two_faces = (EXTRA / "two_faces.jpg").read_bytes()
    assert provider.verify(nik="3201010101010001", image=two_faces).reason == "multiple_faces"
    down = FakeIdentityProvider(unavailable=True)
    assert down.verify(nik="3201010101010001", image=image).reason == "provider_unavailable"


def test_a_provider_is_chosen_by_dotted_path():
    provider = provider_load("mpp.biometrics.provider.FakeIdentityProvider", unavailable=True)
    assert isinstance(provider, FakeIdentityProvider) and provider.unavailable
