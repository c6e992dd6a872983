"""Face detection, quality, embedding, liveness and matching: a pure library (no Django).

Public API (import from `mpp.biometrics`); every refusal is a `Reason` code, translated by the
caller (`MESSAGES` / `reason_message` hold Indonesian and English texts):

    load_image(source) -> RGB array              FaceError(IMAGE_*) for empty/huge/corrupt files
    face_sample(image) -> FaceSample             .ok, .embedding (128 float32, unit), .reasons
    template_enrol(images) -> Enrolment          several frames -> one template, or reasons
    compare(a, b) -> Comparison                  .score (cosine), .match at VERIFY_THRESHOLD
    challenge_new() -> Challenge                 random prompt(s): PROMPTS[action]["id"|"en"]
    liveness_check(frames, challenge) -> LivenessResult   .passed, .reason, .embedding
    TemplateIndex, identify(index, probe), duplicate_candidates(index, template, exclude=key)
    template_encrypt(t, key=, citizen_id=) / template_decrypt(blob, key=, citizen_id=)
    IdentityProvider (protocol), FakeIdentityProvider, provider_load("pkg.mod.Class")

Typical check-in: issue `challenge_new()`, show its prompts, collect ~8-12 frames, then
`liveness_check`; if it passed, `compare(result.embedding, template_decrypt(...))`.
See docs/biometrics.md for thresholds, what liveness does and does not stop, and numbers.
"""

from .crypto import template_decrypt, template_encrypt, template_key_new
from .detection import Face, Pose, detect_faces
from .engine import MODEL_ID
from .images import MAX_FILE_BYTES, MAX_PIXELS, load_image
from .index import (
    Candidate,
    Identification,
    Outcome,
    TemplateIndex,
    duplicate_candidates,
    identify,
)
from .liveness import (
    PROMPTS,
    Action,
    Challenge,
    LivenessPolicy,
    LivenessResult,
    challenge_new,
    liveness_check,
)
from .matching import (
    DUPLICATE_THRESHOLD,
    IDENTIFY_MARGIN,
    IDENTIFY_THRESHOLD,
    VERIFY_THRESHOLD,
    Comparison,
    Enrolment,
    FaceSample,
    compare,
    face_sample,
    template_enrol,
)
from .provider import FakeIdentityProvider, IdentityProvider, ProviderAnswer, provider_load
from .quality import ENROLMENT, EVALUATION, QualityPolicy, QualityReport, quality_check
from .reasons import MESSAGES, FaceError, Reason, reason_message

__all__ = [
    "DUPLICATE_THRESHOLD",
    "ENROLMENT",
    "EVALUATION",
    "IDENTIFY_MARGIN",
    "IDENTIFY_THRESHOLD",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "MESSAGES",
    "MODEL_ID",
    "PROMPTS",
    "VERIFY_THRESHOLD",
    "Action",
    "Candidate",
    "Challenge",
    "Comparison",
    "Enrolment",
    "Face",
    "FaceError",
    "FaceSample",
    "FakeIdentityProvider",
    "Identification",
    "IdentityProvider",
    "LivenessPolicy",
    "LivenessResult",
    "Outcome",
    "Pose",
    "ProviderAnswer",
    "QualityPolicy",
    "QualityReport",
    "Reason",
    "TemplateIndex",
    "challenge_new",
    "compare",
    "detect_faces",
    "duplicate_candidates",
    "face_sample",
    "identify",
    "liveness_check",
    "load_image",
    "provider_load",
    "quality_check",
    "reason_message",
    "template_decrypt",
    "template_encrypt",
    "template_enrol",
    "template_key_new",
]
