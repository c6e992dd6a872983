from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("provinces", api.ProvinceViewSet, basename="api-province")
router.register("regencies", api.RegencyViewSet, basename="api-regency")
router.register("malls", api.MallViewSet, basename="api-mall")
router.register("agencies", api.AgencyViewSet, basename="api-agency")
router.register("services", api.ServiceViewSet, basename="api-service")

urlpatterns = router.urls
