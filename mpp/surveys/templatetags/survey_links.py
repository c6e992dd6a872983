"""{% load survey_links %}{% survey_url ticket %}: the signed survey link for a ticket page,
so the queue app links the survey without importing this app's code."""

from django import template

from ..services import survey_path

register = template.Library()


@register.simple_tag(takes_context=True)
def survey_url(context, ticket) -> str:
    request = context.get("request")
    path = survey_path(ticket)
    return request.build_absolute_uri(path) if request else path


@register.filter
def grade_class(grade) -> str:
    return f"grade-{grade.letter.lower()}" if grade else "grade-none"
