from django import template

from ..links import mall_links as links_for

register = template.Library()


@register.simple_tag
def mall_links(section, mall, can_edit=False):
    """`{% mall_links "queue" mall can_edit as links %}`: see mpp/registry/links.py."""
    return links_for(section=section, mall=mall, can_edit=bool(can_edit))
