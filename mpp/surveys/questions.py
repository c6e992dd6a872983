"""The nine elements of the SKM questionnaire (PermenPANRB 14/2017) with the standard
questions and their four answers, from 1 (worst) to 4 (best)."""

from django.utils.translation import gettext_lazy as _

ELEMENTS = [
    (
        "u1",
        _("Requirements"),
        _("How well do the requirements match the service you received?"),
        [_("Not suitable"), _("Less suitable"), _("Suitable"), _("Very suitable")],
    ),
    (
        "u2",
        _("Procedure"),
        _("How easy was the service procedure here?"),
        [_("Not easy"), _("Less easy"), _("Easy"), _("Very easy")],
    ),
    (
        "u3",
        _("Completion time"),
        _("How fast was the service delivered?"),
        [_("Not fast"), _("Less fast"), _("Fast"), _("Very fast")],
    ),
    (
        "u4",
        _("Fee"),
        _("How fair was the fee for the service?"),
        [_("Very expensive"), _("Rather expensive"), _("Cheap"), _("Free")],
    ),
    (
        "u5",
        _("Product"),
        _("Did the result you received match what the service standard promises?"),
        [_("Not suitable"), _("Less suitable"), _("Suitable"), _("Very suitable")],
    ),
    (
        "u6",
        _("Staff competence"),
        _("How competent were the staff who served you?"),
        [_("Not competent"), _("Less competent"), _("Competent"), _("Very competent")],
    ),
    (
        "u7",
        _("Staff behaviour"),
        _("How polite and friendly were the staff?"),
        [
            _("Not polite and friendly"),
            _("Less polite and friendly"),
            _("Polite and friendly"),
            _("Very polite and friendly"),
        ],
    ),
    (
        "u8",
        _("Facilities"),
        _("How good are the facilities and infrastructure?"),
        [_("Poor"), _("Fair"), _("Good"), _("Very good")],
    ),
    (
        "u9",
        _("Complaint handling"),
        _("How are users' complaints handled here?"),
        [
            _("No complaint service"),
            _("Exists but does not work"),
            _("Works, not at its best"),
            _("Well managed"),
        ],
    ),
]

ELEMENT_TITLES = {code: title for code, title, _question, _answers in ELEMENTS}
