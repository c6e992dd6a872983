"""Pages anyone may open: the directory of malls, a mall, a service."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from mpp.core.exports import csv_columns_response

from .. import selectors
from ..models import Mall, Province, Service, Tenancy


def home(request):
    return redirect("registry:mall_directory")


def filtered_malls(params, malls=None):
    """The directory's filters (`selectors.MallFilter`) over `malls` (all by default): the
    public directory and the console's list of one's own malls. An invalid filter shows its
    error and no rows."""
    filterset = selectors.MallFilter(params, queryset=selectors.malls_listed(malls))
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset.form, rows


def mall_directory(request):
    form, malls = filtered_malls(request.GET)
    if request.GET.get("format") == "csv":
        return directory_csv(malls)
    page = Paginator(
        malls.annotate(service_count=Count("services")).order_by(
            "province_id", "regency_id", "name"
        ),
        30,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/mall_directory.html",
        {
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "query": query.urlencode(),
            "provinces_with_malls": Province.objects.annotate(n=Count("malls")).filter(n__gt=0),
        },
    )


def directory_csv(malls):
    return csv_columns_response("mal-pelayanan-publik.csv", selectors.MALL_CSV_COLUMNS, malls)


def mall_detail(request, code):
    services = Service.objects.filter(is_active=True).select_related("agency")
    mall = get_object_or_404(
        Mall.objects.select_related("province", "regency").prefetch_related(
            Prefetch("tenancies", Tenancy.objects.select_related("agency")),
            Prefetch("services", services),
            "opening_hours",
            "pledges",
        ),
        code=code,
    )
    return render(
        request,
        "registry/mall_detail.html",
        {
            "mall": mall,
            "pledge": mall.current_pledge(),
            "services_by_agency": _group_by_agency(mall.services.all()),
            "upcoming_closures": mall.closures.filter(date__gte=mall.local_now().date())[:10],
        },
    )


def _group_by_agency(services):
    groups: dict = {}
    for service in services:
        groups.setdefault(service.agency, []).append(service)
    return sorted(groups.items(), key=lambda item: item[0].short_name)


def service_detail(request, code, slug):
    service = get_object_or_404(
        Service.objects.select_related("mall", "mall__province", "agency"),
        mall__code=code,
        slug=slug,
    )
    return render(
        request,
        "registry/service_detail.html",
        {"service": service, "mall": service.mall, "standard": service.current_standard()},
    )
