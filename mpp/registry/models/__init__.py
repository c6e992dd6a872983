from .catalogue import (
    Agency,
    AgencyLevel,
    CompletionUnit,
    Counter,
    OfficerPosting,
    Service,
    ServiceStandard,
    Tenancy,
)
from .malls import Closure, Mall, MallStatus, OpeningHours, Pledge, Weekday
from .regions import (
    District,
    HistoricalRegion,
    Province,
    Regency,
    RegencyKind,
    RegionLevel,
    Village,
    timezone_for_region_code,
)

__all__ = [
    "Agency", "AgencyLevel", "Closure", "CompletionUnit", "Counter", "District",
    "HistoricalRegion", "Mall", "MallStatus", "OfficerPosting", "OpeningHours", "Pledge",
    "Province", "Regency", "RegencyKind", "RegionLevel", "Service", "ServiceStandard",
    "Tenancy", "Village", "Weekday", "timezone_for_region_code",
]
