"""Reason codes for every refusal the library can give, with a short message in Indonesian and
English. The library returns codes; callers translate them (Django side: gettext, or this dict)."""

from enum import StrEnum


class Reason(StrEnum):
    # the file or frame itself
    IMAGE_EMPTY = "image_empty"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_UNREADABLE = "image_unreadable"
    IMAGE_FORMAT = "image_format"
    # the quality gate
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    FACE_TOO_SMALL = "face_too_small"
    FACE_CUT_OFF = "face_cut_off"
    TOO_BLURRY = "too_blurry"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    NOT_FRONTAL = "not_frontal"
    # enrolment from several frames
    ENROL_TOO_FEW_FRAMES = "enrol_too_few_frames"
    ENROL_INCONSISTENT = "enrol_inconsistent"
    # liveness
    LIVENESS_TOO_FEW_FRAMES = "liveness_too_few_frames"
    LIVENESS_STILL_IMAGE = "liveness_still_image"
    LIVENESS_DIFFERENT_FACE = "liveness_different_face"
    LIVENESS_NOT_FACING_FIRST = "liveness_not_facing_first"
    LIVENESS_WRONG_MOTION = "liveness_wrong_motion"
    LIVENESS_MOTION_NOT_SEEN = "liveness_motion_not_seen"
    # stored templates
    TEMPLATE_INVALID = "template_invalid"
    TEMPLATE_OLD_MODEL = "template_old_model"
    # attempts and bursts
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    LIVENESS_JUMP = "liveness_jump"
    LIVENESS_IDENTITY_CHANGED = "liveness_identity_changed"
    LIVENESS_PRESENTATION_ATTACK = "liveness_presentation_attack"


MESSAGES: dict[Reason, dict[str, str]] = {
    Reason.IMAGE_EMPTY: {
        "id": "Kamera atau berkas tidak memberikan gambar. Coba lagi.",
        "en": "The camera or file gave no image. Please try again.",
    },
    Reason.IMAGE_TOO_LARGE: {
        "id": "Berkas gambar terlalu besar. Gunakan foto yang lebih kecil.",
        "en": "The image file is too large. Please use a smaller photo.",
    },
    Reason.IMAGE_UNREADABLE: {
        "id": "Berkas ini bukan gambar atau rusak sehingga tidak dapat dibaca.",
        "en": "This file is not an image or is damaged and cannot be read.",
    },
    Reason.IMAGE_FORMAT: {
        "id": "Format gambar tidak didukung. Gunakan JPEG, PNG atau WebP.",
        "en": "This image format is not supported. Please use JPEG, PNG or WebP.",
    },
    Reason.NO_FACE: {
        "id": "Wajah tidak terlihat. Hadapkan wajah ke kamera.",
        "en": "No face can be seen. Please face the camera.",
    },
    Reason.MULTIPLE_FACES: {
        "id": "Terlihat lebih dari satu wajah. Pastikan hanya Anda yang ada di depan kamera.",
        "en": "More than one face can be seen. Make sure only you are in front of the camera.",
    },
    Reason.FACE_TOO_SMALL: {
        "id": "Wajah terlalu kecil atau terlalu jauh. Mendekatlah ke kamera.",
        "en": "The face is too small or too far away. Please come closer to the camera.",
    },
    Reason.FACE_CUT_OFF: {
        "id": "Wajah terpotong di tepi gambar. Posisikan wajah di tengah.",
        "en": "The face is cut off at the edge of the picture. Please centre your face.",
    },
    Reason.TOO_BLURRY: {
        "id": "Gambar buram. Diamlah sejenak dan pastikan lensa kamera bersih.",
        "en": "The picture is blurred. Hold still and make sure the camera lens is clean.",
    },
    Reason.TOO_DARK: {
        "id": "Gambar terlalu gelap. Cari tempat yang lebih terang.",
        "en": "The picture is too dark. Please move to a brighter place.",
    },
    Reason.TOO_BRIGHT: {
        "id": "Gambar terlalu terang. Hindari cahaya langsung dari belakang atau depan.",
        "en": "The picture is too bright. Avoid strong light directly behind or in front of you.",
    },
    Reason.NOT_FRONTAL: {
        "id": "Wajah tidak menghadap lurus ke kamera. Lihatlah lurus ke kamera.",
        "en": "The face is not turned straight to the camera. Please look straight at it.",
    },
    Reason.ENROL_TOO_FEW_FRAMES: {
        "id": "Belum cukup foto wajah yang baik untuk pendaftaran. Coba lagi.",
        "en": "Not enough good face pictures to enrol. Please try again.",
    },
    Reason.ENROL_INCONSISTENT: {
        "id": "Foto-foto tidak menunjukkan orang yang sama. Pendaftaran dibatalkan.",
        "en": "The pictures do not show the same person. Enrolment was cancelled.",
    },
    Reason.LIVENESS_TOO_FEW_FRAMES: {
        "id": "Kamera tidak mengirim cukup gambar. Coba lagi.",
        "en": "The camera did not send enough pictures. Please try again.",
    },
    Reason.LIVENESS_STILL_IMAGE: {
        "id": "Yang terlihat adalah gambar diam, bukan orang. Petugas dapat membantu Anda.",
        "en": "A still image was seen, not a person. An officer can help you.",
    },
    Reason.LIVENESS_DIFFERENT_FACE: {
        "id": "Wajah berganti selama pemeriksaan. Coba lagi, sendirian di depan kamera.",
        "en": "The face changed during the check. Please try again, alone in front of the camera.",
    },
    Reason.LIVENESS_NOT_FACING_FIRST: {
        "id": "Mulailah dengan menghadap lurus ke kamera, lalu ikuti petunjuk.",
        "en": "Start by looking straight at the camera, then follow the instruction.",
    },
    Reason.LIVENESS_WRONG_MOTION: {
        "id": "Gerakan tidak sesuai petunjuk. Coba lagi dan ikuti petunjuk di layar.",
        "en": "The movement did not match the instruction. Please try again and follow it.",
    },
    Reason.LIVENESS_MOTION_NOT_SEEN: {
        "id": "Gerakan yang diminta tidak terlihat. Coba lagi dengan gerakan yang lebih jelas.",
        "en": "The requested movement was not seen. Please try again with a clearer movement.",
    },
    Reason.TEMPLATE_INVALID: {
        "id": "Data wajah tersimpan tidak dapat dibuka. Silakan daftar ulang wajah Anda.",
        "en": "The stored face data cannot be opened. Please enrol your face again.",
    },
    Reason.TEMPLATE_OLD_MODEL: {
        "id": "Data wajah Anda dibuat dengan sistem lama. Silakan daftar ulang wajah di loket.",
        "en": "Your face data was made with an older system. Please re-enrol at the counter.",
    },
    Reason.TOO_MANY_ATTEMPTS: {
        "id": "Terlalu banyak percobaan. Silakan minta bantuan petugas atau gunakan kode.",
        "en": "Too many attempts. Please ask an officer or use the code instead.",
    },
    Reason.LIVENESS_JUMP: {
        "id": "Gerakan kepala tidak mulus. Tolehkan kepala perlahan tanpa berhenti.",
        "en": "The head movement was not smooth. Please turn your head slowly and steadily.",
    },
    Reason.LIVENESS_IDENTITY_CHANGED: {
        "id": "Wajah berganti selama pemeriksaan. Petugas dapat membantu Anda.",
        "en": "The face changed during the check. An officer can help you.",
    },
    Reason.LIVENESS_PRESENTATION_ATTACK: {
        "id": "Yang terlihat tampaknya foto atau layar, bukan wajah. Petugas dapat membantu.",
        "en": "This looks like a photo or a screen, not a live face. An officer can help you.",
    },
}


def reason_message(reason: Reason | str, language: str = "id") -> str:
    """The human message for a reason code; Indonesian unless `language` is "en"."""
    messages = MESSAGES[Reason(reason)]
    return messages["en" if language.lower().startswith("en") else "id"]


class FaceError(Exception):
    """A refusal with a reason code; `detail` is for logs (never shown to the citizen)."""

    def __init__(self, reason: Reason, detail: str = ""):
        self.reason = Reason(reason)
        self.detail = detail
        super().__init__(f"{self.reason.value}: {detail}" if detail else self.reason.value)
