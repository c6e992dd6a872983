from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "mpp.surveys"
    verbose_name = _("Service quality")

    def ready(self):
        # The registry's mall page cannot name the quality app's URLs (imports flow one way).
        from mpp.registry.links import MallLink, mall_link_register

        mall_link_register(MallLink("public", _("Service quality"), "surveys:mall_quality"))
