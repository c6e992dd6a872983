from django.urls import path

from .views import manage, public

app_name = "registry"

urlpatterns = [
    path("", public.home, name="home"),
    path("malls/", public.mall_directory, name="mall_directory"),
    path("malls/<slug:code>/", public.mall_detail, name="mall_detail"),
    path("malls/<slug:code>/services/<slug:slug>/", public.service_detail, name="service_detail"),
    path("manage/", manage.manage_home, name="manage_home"),
    path("manage/<slug:code>/", manage.manage_mall, name="manage_mall"),
    path("manage/<slug:code>/edit/", manage.mall_edit, name="mall_edit"),
    path("manage/<slug:code>/hours/", manage.hours_edit, name="hours_edit"),
    path("manage/<slug:code>/closures/new/", manage.closure_add, name="closure_add"),
    path("manage/<slug:code>/pledge/new/", manage.pledge_new, name="pledge_new"),
    path("manage/<slug:code>/tenants/new/", manage.tenancy_edit, name="tenancy_add"),
    path("manage/<slug:code>/tenants/<int:pk>/", manage.tenancy_edit, name="tenancy_edit"),
    path(
        "manage/<slug:code>/tenants/<int:pk>/delete/", manage.tenancy_delete, name="tenancy_delete"
    ),
    path("manage/<slug:code>/services/new/", manage.service_edit, name="service_add"),
    path("manage/<slug:code>/services/<slug:slug>/", manage.service_edit, name="service_edit"),
    path(
        "manage/<slug:code>/services/<slug:slug>/standard/",
        manage.standard_new,
        name="standard_new",
    ),
    path("manage/<slug:code>/counters/new/", manage.counter_edit, name="counter_add"),
    path("manage/<slug:code>/counters/<int:pk>/", manage.counter_edit, name="counter_edit"),
]
