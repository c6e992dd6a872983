"""The mall console: managers edit their malls; analysts and officers read.

Every view asks `access_mall` first; edits need `edit=True`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.core.audit import audit_record

from ..access import access_mall, can_edit_mall, malls_visible_to
from ..forms import (
    ClosureForm,
    CounterForm,
    MallForm,
    OpeningHoursFormSet,
    PledgeForm,
    ServiceForm,
    StandardForm,
    TenancyForm,
)
from ..models import Closure, Counter, Mall, Service, Tenancy
from ..services import pledge_publish, standard_publish
from .public import directory_csv, filtered_malls


def _mall(request, code, *, edit=False) -> Mall:
    return access_mall(request.user, get_object_or_404(Mall, code=code), edit=edit)


@login_required
def manage_home(request):
    malls = (
        malls_visible_to(request.user)
        .select_related("province", "regency")
        .annotate(service_count=Count("services", distinct=True))
    )
    if malls.count() == 1:
        return redirect("registry:manage_mall", code=malls.get().code)
    form, malls = filtered_malls(request.GET, malls)
    if request.GET.get("format") == "csv":
        return directory_csv(malls)
    malls = malls.order_by("province_id", "name")
    return render(
        request,
        "registry/manage/home.html",
        {"malls": malls[:500], "total": malls.count(), "form": form},
    )


@login_required
def manage_mall(request, code):
    mall = _mall(request, code)
    services = Service.objects.select_related("agency").prefetch_related("standards")
    mall = (
        Mall.objects.prefetch_related(
            Prefetch("services", services),
            Prefetch("tenancies", Tenancy.objects.select_related("agency")),
            Prefetch("counters", Counter.objects.prefetch_related("services")),
            "opening_hours",
            "closures",
            "pledges",
        )
        .select_related("province", "regency")
        .get(pk=mall.pk)
    )
    return render(
        request,
        "registry/manage/mall.html",
        {
            "mall": mall,
            "can_edit": can_edit_mall(request.user, mall),
            "pledge": mall.current_pledge(),
        },
    )


def _save_form(request, mall, form, action, message):
    """Validate and save a model form for `mall`, audit it, and go back to the console."""
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        audit_record(actor=request.user, action=action, target=obj, summary=f"{mall.code}: {obj}")
        messages.success(request, message)
        return redirect("registry:manage_mall", code=mall.code)
    return render(
        request, "registry/manage/form.html", {"mall": mall, "form": form, "title": message}
    )


@login_required
def mall_edit(request, code):
    mall = _mall(request, code, edit=True)
    form = MallForm(request.POST or None, instance=mall)
    return _save_form(request, mall, form, "mall_edit", _("Mall details saved."))


@login_required
def tenancy_edit(request, code, pk=None):
    mall = _mall(request, code, edit=True)
    tenancy = get_object_or_404(Tenancy, pk=pk, mall=mall) if pk else Tenancy(mall=mall)
    form = TenancyForm(request.POST or None, instance=tenancy)
    return _save_form(request, mall, form, "tenancy_edit", _("Tenant saved."))


@login_required
def service_edit(request, code, slug=None):
    mall = _mall(request, code, edit=True)
    service = get_object_or_404(Service, mall=mall, slug=slug) if slug else None
    form = ServiceForm(request.POST or None, instance=service, mall=mall)
    return _save_form(request, mall, form, "service_edit", _("Service saved."))


@login_required
def counter_edit(request, code, pk=None):
    mall = _mall(request, code, edit=True)
    counter = get_object_or_404(Counter, pk=pk, mall=mall) if pk else None
    form = CounterForm(request.POST or None, instance=counter, mall=mall)
    return _save_form(request, mall, form, "counter_edit", _("Counter saved."))


@login_required
def closure_add(request, code):
    mall = _mall(request, code, edit=True)
    form = ClosureForm(request.POST or None, instance=Closure(mall=mall))
    return _save_form(request, mall, form, "closure_add", _("Closure saved."))


@login_required
def hours_edit(request, code):
    mall = _mall(request, code, edit=True)
    formset = OpeningHoursFormSet(request.POST or None, instance=mall)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        audit_record(actor=request.user, action="hours_edit", target=mall)
        messages.success(request, _("Opening hours saved."))
        return redirect("registry:manage_mall", code=mall.code)
    return render(request, "registry/manage/hours.html", {"mall": mall, "formset": formset})


@login_required
def standard_new(request, code, slug):
    mall = _mall(request, code, edit=True)
    service = get_object_or_404(Service, mall=mall, slug=slug)
    current = service.standards.order_by("-version").first()
    form = StandardForm(request.POST or None, instance=current and _copy(current))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            standard_publish(service=service, by=request.user, **fields)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("New version of the service standard published."))
            return redirect("registry:manage_mall", code=mall.code)
    return render(
        request,
        "registry/manage/form.html",
        {
            "mall": mall,
            "form": form,
            "service": service,
            "current": current,
            "title": _("Service standard: %(name)s") % {"name": service.name},
        },
    )


def _copy(standard):
    """An unsaved copy, so the form starts from the version in force."""
    standard.pk = None
    return standard


def _attach_errors(form, exc: ValidationError):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def pledge_new(request, code):
    mall = _mall(request, code, edit=True)
    current = mall.current_pledge()
    initial = (
        {
            "text": current.text,
            "signer_name": current.signer_name,
            "signer_title": current.signer_title,
        }
        if current
        else {}
    )
    form = PledgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pledge_publish(mall=mall, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("The pledge (maklumat pelayanan) was published."))
            return redirect("registry:manage_mall", code=mall.code)
    return render(
        request,
        "registry/manage/form.html",
        {"mall": mall, "form": form, "title": _("Service pledge (maklumat pelayanan)")},
    )


@login_required
@require_POST
def tenancy_delete(request, code, pk):
    mall = _mall(request, code, edit=True)
    tenancy = get_object_or_404(Tenancy, pk=pk, mall=mall)
    if mall.services.filter(agency=tenancy.agency).exists():
        messages.error(request, _("Remove or move this agency's services first."))
    else:
        audit_record(actor=request.user, action="tenancy_delete", target=tenancy)
        tenancy.delete()
        messages.success(request, _("Tenant removed."))
    return redirect("registry:manage_mall", code=mall.code)
