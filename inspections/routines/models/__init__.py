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

__all__ = ["Amendment", "CheckPhoto", "DailyCheck", "Exemption", "MinutesAction", "MonthlyMinutes", "RiskItem",
           "RiskList", "RiskListVersion", "UnitChain", "WeeklyReport"]
