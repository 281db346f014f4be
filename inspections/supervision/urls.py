from django.urls import path

from inspections.supervision import views

app_name = "supervision"

urlpatterns = [
    path("units/<int:pk>/risk/", views.UnitRiskView.as_view(), name="unit_risk"),
    path("units/<int:pk>/key-unit/", views.KeyUnitView.as_view(), name="key_unit"),
    path("inspectors/", views.InspectorListView.as_view(), name="inspector_list"),
    path("inspectors/new/", views.InspectorCreateView.as_view(), name="inspector_create"),
    path("inspectors/<int:pk>/edit/", views.InspectorEditView.as_view(), name="inspector_edit"),
]
