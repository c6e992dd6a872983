"""Links that apps above the registry add to a mall's pages.

The registry sits below the queue and the quality apps (docs/decisions/0001), so its templates
cannot name their URLs. Each of those apps registers its links here in `AppConfig.ready()`;
the mall pages render whatever is registered for a section ("public" on the mall's public page,
"queue" on the manager's console). A link can be limited to malls where it makes sense
(`shown_if`) and to users who may edit the mall (`editors_only`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .models import Mall


@dataclass(frozen=True)
class MallLink:
    section: str
    label: str  # a lazy translation of the registering app
    url_name: str  # reversed with the mall's code
    primary: bool = False  # shown as a button
    editors_only: bool = False
    shown_if: Callable[[Mall], bool] | None = None


_LINKS: list[MallLink] = []


def mall_link_register(link: MallLink) -> None:
    """Add a link once (apps may be made ready more than once in tests)."""
    if link not in _LINKS:
        _LINKS.append(link)


def mall_links(*, section: str, mall: Mall, can_edit: bool = False) -> list[dict]:
    """The registered links of `section` for `mall`, in registration order."""
    return [
        {
            "label": link.label,
            "url": reverse(link.url_name, args=[mall.code]),
            "primary": link.primary,
        }
        for link in _LINKS
        if link.section == section
        and (can_edit or not link.editors_only)
        and (link.shown_if is None or link.shown_if(mall))
    ]
