from django.urls import path

from portal.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("my-unit/", views.my_unit, name="my_unit"),
]
