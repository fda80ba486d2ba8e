"""``/metrics``: Prometheus text, to loopback or the metrics token only (anyone else: 404)."""

import pytest

from xinyipi.applications.tests.factories import standard_case
from xinyipi.credit.sources.http import CircuitBreaker, http_settings

pytestmark = pytest.mark.django_db


def test_metrics_open_to_loopback(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for name in (
        "xinyipi_outbox_depth",
        "xinyipi_outbox_oldest_age_seconds",
        "xinyipi_record_sharing_oldest_age_seconds",
        "xinyipi_login_locked",
        "xinyipi_sweep_last_results",
    ):
        assert name in text


def test_metrics_hidden_from_other_addresses(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404


def test_metrics_hidden_from_requests_relayed_by_a_local_proxy(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


def test_metrics_open_with_the_token_from_anywhere(client, settings):
    settings.METRICS = {**settings.METRICS, "TOKEN": "scrape-secret-123"}
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer scrape-secret-123")
    wrong = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer guess")
    assert ok.status_code == 200
    assert wrong.status_code == 404


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'xinyipi_http_requests_total{method="GET",route="healthz",status="200"}' in text
    assert 'xinyipi_http_request_duration_seconds_bucket{le="0.05",method="GET",route="healthz"}' in text


def test_metrics_count_cases_by_mode(client, clerk, standard_matter, enterprise):
    standard_case(clerk, standard_matter, enterprise)
    text = client.get("/metrics").content.decode()
    assert 'xinyipi_cases{mode="standard"} 1.0' in text


def test_metrics_count_credit_source_failures_and_show_an_open_circuit(client):
    breaker = CircuitBreaker("metrics_probe_source")
    config = http_settings("metrics_probe_source")
    for _ in range(config.breaker_failures):
        breaker.failure(config, "timeout")
    text = client.get("/metrics").content.decode()
    assert 'xinyipi_credit_source_circuit_open{source="metrics_probe_source"} 1.0' in text
    assert 'xinyipi_credit_source_failures_total{source="metrics_probe_source",status="timeout"}' in text
    breaker.success()
    text = client.get("/metrics").content.decode()
    assert 'xinyipi_credit_source_circuit_open{source="metrics_probe_source"} 0.0' in text
