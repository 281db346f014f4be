from inspections.routines.models.archive import ArchiveJob
from inspections.routines.models.compliance import (
    ComplianceRefresh,
    JurisdictionDayCompliance,
    JurisdictionMonthCompliance,
    UnitMonthCompliance,
)
from inspections.routines.models.records import (
    Amendment,
    CheckPhoto,
    DailyCheck,
    Exemption,
    MinutesAction,
    MonthlyMinutes,
    UnitChain,
    WeeklyReport,
)
from inspections.routines.models.risk import RiskItem, RiskList, RiskListVersion

__all__ = ["Amendment", "ArchiveJob", "CheckPhoto", "ComplianceRefresh", "DailyCheck", "Exemption",
           "JurisdictionDayCompliance", "JurisdictionMonthCompliance", "MinutesAction", "MonthlyMinutes", "RiskItem",
           "RiskList", "RiskListVersion", "UnitChain", "UnitMonthCompliance", "WeeklyReport"]
