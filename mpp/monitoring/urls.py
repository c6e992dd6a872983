from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("weeks/<str:week>/", views.national, name="national"),
    path("weeks/<str:week>/report.<str:fmt>", views.export, name="export"),
    path("weeks/<str:week>/map/", views.map_view, name="map"),
    path("weeks/<str:week>/provinces/<str:code>/", views.province, name="province"),
    path("weeks/<str:week>/malls/<slug:code>/", views.mall_detail, name="mall"),
    path("open-data/", views.open_data, name="open_data"),
    path(
        "open-data/<str:week>.metadata.json",
        views.open_data_metadata_file,
        name="open_data_metadata",
    ),
    path("open-data/<str:week>.<str:fmt>", views.open_data_file, name="open_data_file"),
    path("upload/", views.upload, name="upload"),
    path("upload/<int:pk>/commit/", views.upload_commit, name="upload_commit"),
    path("tokens/<slug:code>/", views.tokens, name="tokens"),
    path("subscription/", views.subscription, name="subscription"),
]
