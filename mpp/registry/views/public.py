"""Pages anyone may open: the directory of malls, a mall, a service."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from mpp.core.exports import csv_attachment, csv_writer

from ..forms import DirectoryFilterForm
from ..models import Mall, Province, Service, Tenancy

CSV_COLUMNS = [
    "code",
    "name",
    "region_code",
    "region",
    "province",
    "timezone",
    "status",
    "inaugurated_on",
    "is_digital_pilot",
]


def home(request):
    return redirect("registry:mall_directory")


def filtered_malls(params, malls=None):
    """The directory's filters (search, province, status, pilot) over `malls` (all by
    default): the public directory and the console's list of one's own malls."""
    form = DirectoryFilterForm(params)
    malls = (Mall.objects.all() if malls is None else malls).select_related("province", "regency")
    if form.is_valid():
        data = form.cleaned_data
        malls = malls.search(data["q"] or "")
        if data["province"]:
            malls = malls.in_province(data["province"].code)
        if data["status"]:
            malls = malls.filter(status=data["status"])
        if data["digital"]:
            malls = malls.filter(is_digital_pilot=True)
    return form, malls


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
    response = csv_attachment("mal-pelayanan-publik.csv")
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for mall in malls:
        writer.writerow(
            [
                mall.code,
                mall.name,
                mall.region_code,
                mall.regency or mall.province,
                mall.province,
                mall.timezone_name,
                mall.status,
                mall.inaugurated_on or "",
                int(mall.is_digital_pilot),
            ]
        )
    return response


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
