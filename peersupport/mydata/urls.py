from django.urls import path

from . import views

app_name = "mydata"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("download/", views.download, name="download"),
    path("delete/", views.erase, name="erase"),
]
