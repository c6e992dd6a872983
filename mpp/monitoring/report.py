"""The national weekly report: every open mall's week from the daily rollups (our queue)
and the counts reported by malls that run another system, ranked raw and per capita,
with the sections the minister reads. See docs/decisions/0009-weekly-report-rules.md.

The whole report is a handful of queries, whatever the number of visits: malls, open
counters, the summarised days' marks, a primary-key range read for rollup rows newer than
those marks, and the per-mall-day summaries of four weeks grouped by mall (closed days; see
`summaries.py`), plus the live rollups and reported counts of today for the current week.
"""

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from mpp.registry.models import Counter, Mall, MallStatus, timezone_for_region_code
from mpp.surveys.compliance import scorecards_summary_for_week

from .dashboards import weekly_trend
from .models import DailySummary
from .summaries import SUMMARY_FIELDS, live_day_numbers, summaries_ensure
from .weeks import IsoWeek, week_period

SOURCES = ["queue", "counts", "events"]
HISTORY_WEEKS = 4  # this week and three before: change, "falling three weeks", new-mall ranks
# Population bands for "malls of similar population" (upper bounds; the last is open).
POPULATION_BANDS = [250_000, 500_000, 1_000_000, 2_000_000]
DETAIL_FIELDS = [name for name in SUMMARY_FIELDS if name != "issued"]  # "issued" is the rank


class MallStatusFlag:
    OK = "ok"
    QUIET = "quiet"
    NO_DATA = "no_data"
    NEW = "new"


@dataclass
class ReportOptions:
    lowest: int = 10
    highest: int = 10
    top: int = 20
    quiet_share: float = field(default_factory=lambda: settings.MONITORING_QUIET_SHARE)
    new_months: int = 12
    # The service-quality summary (IKM, complaints, time compliance, staffing) costs about
    # a dozen grouped queries; the visit-only views can leave it out.
    quality: bool = True
    # The running week is reported only when asked for, marked provisional ("sementara").
    current_ok: bool = False
    # The national visits of this many weeks up to the report's (PDF, XLSX); 0 = none.
    trend_weeks: int = 12


@dataclass
class MallWeeks:
    """One mall's numbers: visits per week (index 0 = the report's week) and details."""

    visits: list = field(default_factory=lambda: [None] * HISTORY_WEEKS)
    details: dict = field(default_factory=lambda: dict.fromkeys(DETAIL_FIELDS, 0))
    days: int = 0
    sources: set = field(default_factory=set)

    def add_visits(self, index: int, amount: int) -> None:
        self.visits[index] = (self.visits[index] or 0) + amount


MALL_FIELDS = [
    "pk",
    "code",
    "name",
    "province_id",
    "province__name",
    "province__population",
    "regency_id",
    "regency__name",
    "regency__population",
    "inaugurated_on",
]


def malls_in_report(week: IsoWeek):
    """Malls open at some point in the week. Planned malls, malls inaugurated after the
    week and malls closed before it are left out."""
    return (
        Mall.objects.exclude(status=MallStatus.PLANNED)
        .filter(Q(inaugurated_on__isnull=True) | Q(inaugurated_on__lte=week.sunday))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=week.monday))
        .order_by("code")
    )


def _week_ranges(week: IsoWeek) -> list[tuple[date, date]]:
    weeks = [week.shifted(-i) for i in range(HISTORY_WEEKS)]
    return [(w.monday, w.sunday) for w in weeks]


def _add_day(numbers: dict[int, MallWeeks], ranges, mall_id, day, source, values) -> None:
    """One live mall-day (an open day) into the mall's weeks."""
    index = next(i for i, (start, end) in enumerate(ranges) if start <= day <= end)
    mall = numbers[mall_id]
    mall.add_visits(index, values["issued"])
    if index == 0:
        mall.days += 1
        mall.sources.add(source)
        for name in DETAIL_FIELDS:
            mall.details[name] += values[name]


def _summary_numbers(ranges, numbers: dict[int, MallWeeks], last_closed: date) -> None:
    """Closed days: one query over the per-mall-day summaries, grouped by mall."""
    first = ranges[-1][0]
    current = Q(local_date__gte=ranges[0][0], local_date__lte=ranges[0][1])
    aggregates = {
        f"visits_{i}": Sum("issued", filter=Q(local_date__gte=start, local_date__lte=end))
        for i, (start, end) in enumerate(ranges)
    }
    aggregates |= {name: Sum(name, filter=current) for name in DETAIL_FIELDS}
    aggregates["days"] = Count("pk", filter=current)
    aggregates |= {
        f"from_{source}": Count("pk", filter=current & Q(source=source)) for source in SOURCES
    }
    rows = (
        DailySummary.objects.filter(local_date__gte=first, local_date__lte=last_closed)
        .order_by()
        .values("mall_id")
        .annotate(**aggregates)
    )
    for row in rows:
        mall = numbers[row["mall_id"]]
        for i in range(len(ranges)):
            if row[f"visits_{i}"] is not None:
                mall.add_visits(i, row[f"visits_{i}"])
        if row["days"]:
            mall.days += row["days"]
            mall.sources |= {source for source in SOURCES if row[f"from_{source}"]}
            for name in DETAIL_FIELDS:
                mall.details[name] += row[name] or 0


def _week_numbers(ranges, numbers: dict[int, MallWeeks]) -> None:
    """Closed days from the summaries (made current first), open days live."""
    first, last = ranges[-1][0], ranges[0][1]
    open_from = summaries_ensure(first, last)
    if open_from > first:
        _summary_numbers(ranges, numbers, min(last, open_from - timedelta(days=1)))
    if open_from <= last:
        for (mall_id, day), (source, values) in live_day_numbers(open_from, last).items():
            _add_day(numbers, ranges, mall_id, day, source, values)


def _ratio(numerator, denominator, scale=1.0, digits=2):
    if numerator is None or not denominator:
        return None
    return round(numerator * scale / denominator, digits)


def _rank(entries: list[dict], value_key: str, rank_key: str) -> None:
    """Competition ranks ("1224"), highest first: equal values share a rank and the next
    value skips the shared places. Display order within a tie is by the mall code."""
    ranked = [e for e in entries if e[value_key] is not None]
    ranked.sort(key=lambda e: (-e[value_key], e["code"]))
    previous, rank = None, 0
    counts = defaultdict(int)
    for position, entry in enumerate(ranked, start=1):
        if entry[value_key] != previous:
            previous, rank = entry[value_key], position
        entry[rank_key] = rank
        counts[rank] += 1
    for entry in ranked:
        entry[f"{rank_key}_tied"] = counts[entry[rank_key]] > 1


def _cut(ranked: list[dict], n: int, value_key: str) -> tuple[list[dict], list[str]]:
    """The first `n` of `ranked`, plus every mall tied with the one at the cut-off line;
    returns the section and the codes of the malls tied at that line (empty if no tie
    crosses it)."""
    if n <= 0 or not ranked:
        return [], []
    if len(ranked) <= n:
        return list(ranked), []
    line = ranked[n - 1][value_key]
    section = list(ranked[:n])
    section += [e for e in ranked[n:] if e[value_key] == line]
    tied = [e["code"] for e in section if e[value_key] == line]
    crosses = any(e[value_key] == line for e in ranked[n:])
    return section, tied if crosses else []


def _population_band(population) -> int | None:
    if not population:
        return None
    return next((i for i, limit in enumerate(POPULATION_BANDS) if population <= limit), 4)


def _week_ranks(numbers: dict[int, MallWeeks], codes: dict[int, str], index: int) -> dict:
    ranked = sorted(
        (mall_id for mall_id, n in numbers.items() if n.visits[index] is not None),
        key=lambda mall_id: (-numbers[mall_id].visits[index], codes[mall_id]),
    )
    ranks, previous, rank = {}, None, 0
    for position, mall_id in enumerate(ranked, start=1):
        if numbers[mall_id].visits[index] != previous:
            previous, rank = numbers[mall_id].visits[index], position
        ranks[mall_id] = rank
    return ranks


def _new_since(week: IsoWeek, months: int) -> date:
    """The day `months` calendar months before the week's Sunday."""
    end = week.sunday
    year, month = divmod(end.month - 1 - months, 12)
    year, month = end.year + year, month + 1
    return date(year, month, min(end.day, monthrange(year, month)[1]))


def _mall_entry(mall: dict, n: MallWeeks, counters: int) -> dict:
    visits = n.visits[0]
    previous = n.visits[1]
    d = n.details
    has_data = visits is not None
    region_code = mall["regency_id"] or mall["province_id"]
    population = mall["regency__population"] if mall["regency_id"] else mall["province__population"]
    inaugurated = mall["inaugurated_on"]
    return {
        "code": mall["code"],
        "name": mall["name"],
        "province_code": mall["province_id"],
        "province": mall["province__name"],
        "regency_code": region_code,
        "region": mall["regency__name"] or mall["province__name"],
        "timezone": timezone_for_region_code(region_code),
        "population": population,
        "inaugurated_on": inaugurated.isoformat() if inaugurated else None,
        "open_counters": counters,
        "visits": visits,
        "served": d["served"] if has_data else None,
        "no_shows": d["no_shows"] if has_data else None,
        "visits_per_1000": _ratio(visits, population, 1000, 3),
        "visits_per_counter": _ratio(visits, counters, 1, 1),
        "rank": None,
        "rank_tied": False,
        "rank_per_capita": None,
        "rank_per_capita_tied": False,
        "previous_visits": previous,
        "change_pct": _ratio(visits - previous, previous, 100, 1)
        if has_data and previous
        else None,
        "avg_wait_minutes": _ratio(d["wait_seconds_sum"], d["called"], 1 / 60, 1),
        "avg_service_minutes": _ratio(d["service_seconds_sum"], d["service_timed"], 1 / 60, 1),
        "within_standard_pct": _ratio(d["served_within_standard"], d["standard_checked"], 100, 1),
        "days_with_data": n.days,
        "source": "+".join(sorted(n.sources)) or None,
        "status": MallStatusFlag.OK if has_data else MallStatusFlag.NO_DATA,
        "is_new": False,
        "quiet_reasons": [],
        "quiet_peer_median": None,
        "quiet_history": None,
        "recent_ranks": [],
    }


def _flag_quiet(entries: list[dict], numbers: dict, share: float) -> None:
    by_band = defaultdict(list)
    for entry in entries:
        band = _population_band(entry["population"])
        if entry["visits"] is not None and band is not None:
            by_band[band].append(entry["visits"])
    # A band needs at least three malls with data to judge its members.
    medians = {band: median(peers) for band, peers in by_band.items() if len(peers) >= 3}
    for entry in entries:
        if entry["visits"] is None:
            continue
        band_median = medians.get(_population_band(entry["population"]))
        if band_median is not None and entry["visits"] < share * band_median:
            entry["quiet_reasons"].append("below_peers")
            entry["quiet_peer_median"] = band_median
        history = numbers[entry["_id"]].visits  # index 0 = this week
        if None not in history and all(history[i] < history[i + 1] for i in range(3)):
            entry["quiet_reasons"].append("falling")
            entry["quiet_history"] = list(reversed(history))  # oldest first


# Mall age groups for the peer comparison (years since inauguration, upper bounds).
AGE_GROUPS = [1, 3]


def _age_group(inaugurated: str | None, week: IsoWeek) -> int | None:
    if not inaugurated:
        return None
    years = (week.sunday - date.fromisoformat(inaugurated)).days / 365.25
    return next((i for i, limit in enumerate(AGE_GROUPS) if years < limit), len(AGE_GROUPS))


def _peers(entries: list[dict], week: IsoWeek) -> None:
    """Each mall against its peer group: the same population band and mall age group.
    `peer_group` names the group, `peer_malls` counts its malls with data (the mall
    included), `peer_median_visits` is their median, `peer_position` the mall's share of it."""
    groups = defaultdict(list)
    for entry in entries:
        key = (_population_band(entry["population"]), _age_group(entry["inaugurated_on"], week))
        entry["peer_group"] = None if None in key else f"p{key[0]}-a{key[1]}"
        if entry["peer_group"] and entry["visits"] is not None:
            groups[entry["peer_group"]].append(entry["visits"])
    for entry in entries:
        peers = groups.get(entry["peer_group"], [])
        entry["peer_malls"] = len(peers)
        entry["peer_median_visits"] = median(peers) if peers else None
        entry["peer_position"] = _ratio(entry["visits"], entry["peer_median_visits"], 100, 1)


def _summaries(entries: list[dict]) -> tuple[list[dict], dict]:
    def summary(group: list[dict]) -> dict:
        with_data = [e for e in group if e["visits"] is not None]
        visits = sum(e["visits"] for e in with_data)
        population = sum(e["population"] or 0 for e in with_data)
        both = [e for e in with_data if e["previous_visits"]]
        before = sum(e["previous_visits"] for e in both)
        return {
            "malls": len(group),
            "malls_with_data": len(with_data),
            "malls_no_data": len(group) - len(with_data),
            "malls_quiet": sum(e["status"] == MallStatusFlag.QUIET for e in group),
            "visits": visits,
            "served": sum(e["served"] for e in with_data),
            "no_shows": sum(e["no_shows"] for e in with_data),
            "visits_per_1000": _ratio(visits, population, 1000, 3),
            "change_pct": _ratio(sum(e["visits"] for e in both) - before, before, 100, 1),
        }

    provinces = defaultdict(list)
    for entry in entries:
        provinces[(entry["province_code"], entry["province"])].append(entry)
    rows = [
        {"code": code, "name": name} | summary(group)
        for (code, name), group in sorted(provinces.items())
    ]
    return rows, summary(entries)


def weekly_report_build(*, week: IsoWeek, options: ReportOptions | None = None) -> dict:
    """The report for `week` as plain data (JSON-ready). A week not yet started is
    refused (ValidationError naming `week`); the running week only with `current_ok`."""
    options = options or ReportOptions()
    period = week_period(week, current_ok=options.current_ok)
    entries, numbers = _entries_ranked(week)
    if period["provisional"]:
        # A part of a week against whole weeks says nothing: no change, no quiet flags.
        for entry in entries:
            entry["change_pct"] = None
    else:
        _flag_quiet(entries, numbers, options.quiet_share)
    _peers(entries, week)
    _new_malls_mark(entries, numbers, week, options.new_months)
    quality = _quality_merge(week, entries) if options.quality else None
    for entry in entries:
        del entry["_id"]
    report = _sections(week, entries, options)
    report["provisional"] = period["provisional"]
    report["days_covered"] = period["days_covered"]
    report["covered_until"] = period["covered_until"].isoformat()
    if period["provisional"]:
        report["totals"]["change_pct"] = None
        for row in report["provinces"]:
            row["change_pct"] = None
    report["quality"] = quality
    report["trend"] = [
        {"week": label, "visits": visits}
        for label, visits in (
            weekly_trend(week=week, weeks=options.trend_weeks) if options.trend_weeks else []
        )
    ]
    # The weakest satisfaction first, among malls with questionnaires (ties on the code).
    report["lowest_ikm"] = sorted(
        (e for e in report["malls"] if e.get("ikm") is not None),
        key=lambda e: (float(e["ikm"]), e["code"]),
    )[: options.lowest]
    return report


def _entries_ranked(week: IsoWeek) -> tuple[list[dict], dict[int, MallWeeks]]:
    """One entry per mall in the report (its numbers over the weeks compared, open
    counters), ranked by visits and per capita; and the numbers by mall id."""
    malls = list(malls_in_report(week).values(*MALL_FIELDS))
    numbers: dict[int, MallWeeks] = defaultdict(MallWeeks)
    _week_numbers(_week_ranges(week), numbers)
    included = {mall["pk"] for mall in malls}
    numbers = {mall_id: n for mall_id, n in numbers.items() if mall_id in included}
    for mall in malls:
        numbers.setdefault(mall["pk"], MallWeeks())
    counters = dict(
        Counter.objects.filter(is_active=True, mall_id__in=included)
        .order_by()
        .values("mall_id")
        .annotate(n=Count("id"))
        .values_list("mall_id", "n")
    )
    entries = []
    for mall in malls:
        entry = _mall_entry(mall, numbers[mall["pk"]], counters.get(mall["pk"], 0))
        entry["_id"] = mall["pk"]
        entries.append(entry)
    _rank(entries, "visits", "rank")
    _rank(entries, "visits_per_1000", "rank_per_capita")
    return entries, numbers


def _new_malls_mark(entries: list[dict], numbers, week: IsoWeek, new_months: int) -> None:
    """Malls inaugurated within `new_months`: flagged new, with their recent ranks; then
    each entry's status (quiet before new; no data stays no data)."""
    codes = {e["_id"]: e["code"] for e in entries}
    history_ranks = [_week_ranks(numbers, codes, i) for i in range(HISTORY_WEEKS)]
    new_since = _new_since(week, new_months)
    for entry in entries:
        inaugurated = entry["inaugurated_on"]
        entry["is_new"] = bool(inaugurated and date.fromisoformat(inaugurated) > new_since)
        if entry["is_new"]:
            entry["recent_ranks"] = [
                {"week": str(week.shifted(-i)), "rank": history_ranks[i].get(entry["_id"])}
                for i in reversed(range(HISTORY_WEEKS))
            ]
        if entry["status"] != MallStatusFlag.NO_DATA:
            if entry["quiet_reasons"]:
                entry["status"] = MallStatusFlag.QUIET
            elif entry["is_new"]:
                entry["status"] = MallStatusFlag.NEW


QUALITY_FIELDS = {
    # report column: key in the surveys summary
    "ikm": "ikm",
    "ikm_grade": "grade",
    "ikm_respondents": "respondents",
    "complaints_received": "complaints_received",
    "complaints_in_time_pct": "complaints_answered_in_time_share",
    "time_compliance_pct": "time_compliance_share",
    "counters_staffed_pct": "counters_staffed_share",
}


def _quality_merge(week: IsoWeek, entries: list[dict]) -> dict:
    """Put each mall's service-quality figures on its entry; return the national ones.

    The IKM and complaints cover the quarter up to the week's Sunday (a week holds too
    few questionnaires for a grade); time compliance and staffing cover the week."""
    key = f"monitoring:quality:{week}"
    summary = cache.get(key)
    if summary is None:
        summary = scorecards_summary_for_week(
            week_start=week.monday,
            week_end=week.sunday,
            malls=malls_in_report(week),  # the report's own malls, as a subquery
        )
        # It reads the quarter's questionnaires (~110 ms at 250,000 of them), the rest of
        # the report ~30 ms: kept a few minutes, as a week's report is opened, exported and
        # mailed many times (decision 0009).
        if settings.MONITORING_QUALITY_CACHE_SECONDS:
            cache.set(key, summary, settings.MONITORING_QUALITY_CACHE_SECONDS)
    by_code = {row["mall"]: row for row in summary["malls"]}
    for entry in entries:
        row = by_code.get(entry["code"], {})
        for column, key in QUALITY_FIELDS.items():
            entry[column] = row.get(key)
    national = summary["national"]
    return {
        "period": summary["period"],
        "period_start": summary["period_start"],
        **{column: national[key] for column, key in QUALITY_FIELDS.items()},
        "ikm_grade_label": national["grade_label"],
    }


def _sections(week: IsoWeek, entries: list[dict], options: ReportOptions) -> dict:
    ranked = sorted((e for e in entries if e["rank"]), key=lambda e: (e["rank"], e["code"]))
    per_capita = sorted(
        (e for e in entries if e["rank_per_capita"]),
        key=lambda e: (e["rank_per_capita"], e["code"]),
    )
    no_data = [e for e in entries if e["status"] == MallStatusFlag.NO_DATA]
    provinces, totals = _summaries(entries)
    lowest, lowest_ties = _cut(
        sorted(ranked, key=lambda e: (e["visits"], e["code"])), options.lowest, "visits"
    )
    highest, highest_ties = _cut(ranked, options.highest, "visits")
    top, top_ties = _cut(ranked, options.top, "visits")
    lowest_pc, lowest_pc_ties = _cut(
        sorted(per_capita, key=lambda e: (e["visits_per_1000"], e["code"])),
        options.lowest,
        "visits_per_1000",
    )
    highest_pc, highest_pc_ties = _cut(per_capita, options.highest, "visits_per_1000")
    return {
        "week": str(week),
        "start": week.monday.isoformat(),
        "end": week.sunday.isoformat(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "parameters": {
            "lowest": options.lowest,
            "highest": options.highest,
            "top": options.top,
            "quiet_share": options.quiet_share,
            "new_months": options.new_months,
        },
        "malls": ranked + no_data,
        "lowest": lowest,
        "highest": highest,
        "top20": top,
        "lowest_per_capita": lowest_pc,
        "highest_per_capita": highest_pc,
        # Codes of the malls tied at each section's cut-off line: all of them are listed.
        "cutoff_ties": {
            "lowest": lowest_ties,
            "highest": highest_ties,
            "top20": top_ties,
            "lowest_per_capita": lowest_pc_ties,
            "highest_per_capita": highest_pc_ties,
        },
        "new_malls": sorted(
            (e for e in entries if e["is_new"]), key=lambda e: (e["rank"] or 10**6, e["code"])
        ),
        "quiet": [e for e in ranked if e["status"] == MallStatusFlag.QUIET],
        "no_data": no_data,
        "provinces": provinces,
        "totals": totals,
    }
