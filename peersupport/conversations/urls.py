from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/remove/<int:message_pk>/", views.message_remove, name="remove"),
    path("<int:pk>/report/<int:message_pk>/", views.message_report, name="report"),
    path("read/flag/<int:pk>/", views.read_for_flag, name="read_flag"),
    path("read/report/<int:pk>/", views.read_for_report, name="read_report"),
]
