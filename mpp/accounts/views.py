from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .models import Role

# Where each role starts its day after logging in (URL names, so no app is imported here).
START_PAGE = {
    Role.CITIZEN: "citizens:home",
    Role.COUNTER_OFFICER: "visits:console_home",
    Role.MINISTRY_ANALYST: "monitoring:home",
    Role.MALL_MANAGER: "registry:manage_home",
}


@login_required
def start(request):
    if request.user.is_superuser:
        return redirect("registry:manage_home")
    return redirect(START_PAGE.get(request.user.role, "registry:manage_home"))
