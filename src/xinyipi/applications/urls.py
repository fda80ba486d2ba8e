from django.urls import path

from xinyipi.applications import views, views_agents, views_paper

app_name = "applications"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("window/", views.window, name="window"),
    path("window/<int:check_id>/<str:matter_code>/", views.window_file, name="window_file"),
    path("window/<int:check_id>/<str:matter_code>/preview/", views.window_preview, name="window_preview"),
    path("queue/window/", views.queue_window, name="queue_window"),
    path("queue/review/", views.queue_review, name="queue_review"),
    path("queue/verification/", views.queue_verification, name="queue_verification"),
    path("agents/", views_agents.agent_queue, name="agent_queue"),
    path("agents/<int:pk>/", views_agents.agent_detail, name="agent_detail"),
    path("agents/<int:pk>/verify/", views_agents.agent_verify, name="agent_verify"),
    path("agents/<int:pk>/refuse/", views_agents.agent_refuse, name="agent_refuse"),
    path("agents/<int:pk>/revoke/", views_agents.agent_revoke, name="agent_revoke"),
    path("agents/<int:pk>/authorisation/", views_agents.agent_file, name="agent_file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/supplement/", views.supplement, name="supplement"),
    path("<int:pk>/paper-received/", views_paper.paper_receive, name="paper_receive"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/verification/", views.verify, name="verify"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/correction-request/", views.correction_request, name="correction_request"),
    path("<int:pk>/correction/", views.correction_answer, name="correction_answer"),
    path("<int:pk>/return/", views.return_to_window, name="return"),
    path("<int:pk>/return-resolution/", views.return_resolution, name="return_resolution"),
    path("<int:pk>/materials/<str:code>/file/", views.material_file, name="material_file"),
    path("<int:pk>/documents/<str:ref>/", views.document, name="document"),
    path("<int:pk>/documents/<str:ref>/pdf/", views.document_pdf, name="document_pdf"),
]
