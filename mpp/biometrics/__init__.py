"""Face detection, quality, embedding, liveness and matching: a pure library (no Django).

Public API (import from `mpp.biometrics`); every refusal is a `Reason` code, translated by the
caller (`MESSAGES` / `reason_message` hold Indonesian and English texts):

    load_image(source) -> RGB array              FaceError(IMAGE_*) for empty/huge/corrupt files
    face_sample(image) -> FaceSample             .ok, .embedding (192 float32, unit), .reasons
    template_enrol(images) -> Enrolment          several frames -> one fused template, or reasons
    template_fuse(embeddings, weights)           quality-weighted template of the best frames
    compare(a, b) -> Comparison                  .score (cohort-normalised), .match at verify
    thresholds_for(model_id) -> Thresholds       verify / identify / margin / duplicate
    models_check()                               ModelFileError if a model file is missing/altered
    challenge_new() -> Challenge                 random prompt(s): PROMPTS[action]["id"|"en"]
    liveness_check(frames, challenge) -> LivenessResult   .passed, .reason, .embedding
    TemplateIndex, identify(index, probe), duplicate_candidates(index, template, exclude=key)
    template_encrypt(t, key=, citizen_id=) / template_decrypt(blob, key=, citizen_id=)
    IdentityProvider (protocol), FakeIdentityProvider, provider_load("pkg.mod.Class")

Typical check-in: issue `challenge_new()`, show its prompts, collect 16 frames 150 ms apart, then
`liveness_check`; if it passed, `compare(result.embedding, template_decrypt(...))`.
See docs/biometrics.md for thresholds, what liveness does and does not stop, and numbers.
"""

from .crypto import template_decrypt, template_encrypt, template_key_new
from .detection import Face, Pose, detect_faces
from .embedding import MODELS, FaceModel, model_get
from .engine import (
    DLIB_RESNET,
    MOBILEFACENET,
    MOBILEFACENET_ONET,
    MODEL_ID,
    ModelFileError,
    models_check,
)
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
    THRESHOLDS,
    VERIFY_THRESHOLD,
    Comparison,
    Enrolment,
    FaceSample,
    Thresholds,
    compare,
    face_sample,
    frame_weight,
    template_enrol,
    template_fuse,
    thresholds_for,
)
from .provider import FakeIdentityProvider, IdentityProvider, ProviderAnswer, provider_load
from .quality import ENROLMENT, EVALUATION, QualityPolicy, QualityReport, quality_check
from .reasons import MESSAGES, FaceError, Reason, reason_message

__all__ = [
    "DLIB_RESNET",
    "DUPLICATE_THRESHOLD",
    "ENROLMENT",
    "EVALUATION",
    "IDENTIFY_MARGIN",
    "IDENTIFY_THRESHOLD",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "MESSAGES",
    "MOBILEFACENET",
    "MOBILEFACENET_ONET",
    "MODELS",
    "MODEL_ID",
    "PROMPTS",
    "THRESHOLDS",
    "VERIFY_THRESHOLD",
    "Action",
    "Candidate",
    "Challenge",
    "Comparison",
    "Enrolment",
    "Face",
    "FaceError",
    "FaceModel",
    "FaceSample",
    "FakeIdentityProvider",
    "Identification",
    "IdentityProvider",
    "LivenessPolicy",
    "LivenessResult",
    "ModelFileError",
    "Outcome",
    "Pose",
    "ProviderAnswer",
    "QualityPolicy",
    "QualityReport",
    "Reason",
    "TemplateIndex",
    "Thresholds",
    "challenge_new",
    "compare",
    "detect_faces",
    "duplicate_candidates",
    "face_sample",
    "frame_weight",
    "identify",
    "liveness_check",
    "load_image",
    "model_get",
    "models_check",
    "provider_load",
    "quality_check",
    "reason_message",
    "template_decrypt",
    "template_encrypt",
    "template_enrol",
    "template_fuse",
    "template_key_new",
    "thresholds_for",
]
