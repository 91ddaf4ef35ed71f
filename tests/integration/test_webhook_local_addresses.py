"""A webhook cannot be aimed at the server's own machine or network (SSRF).

An admin-entered URL such as http://169.254.169.254/latest/meta-data/ (cloud credentials),
http://127.0.0.1:6379/ or an intranet host was POSTed to, and a refusing answer's first
300 characters were shown in the delivery log. Now the address the host resolves to, and
the address actually connected to, must be public unless LOOPDESK_WEBHOOK_LOCAL_NETWORK
allows the local network.
"""

from __future__ import annotations

import html
import re
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from jobs import webhooks as webhook_job
from tests.helpers import csrf_token, make_ticket
from webapp.extensions import db
from webapp.models import Role, Webhook, WebhookDelivery, utcnow
from webapp.services import webhooks


@pytest.fixture
def app_config() -> dict:
    return {"JOB_RETRY_INTERVALS": [0, 0, 0]}  # the default: public addresses only


def _deliver(app, run_jobs) -> WebhookDelivery:
    if app.config.get("REDIS_URL"):
        run_jobs()
    else:
        later = (utcnow() + timedelta(days=1)).isoformat()
        for _ in range(10):
            if not webhook_job.relay_pending_deliveries(later):
                break
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery)).one()


def _hook(url: str) -> None:
    webhooks.create_webhook("CRM", url, ["ticket.created"], None)
    db.session.commit()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_a_webhook_on_this_machine_is_never_called(app, receiver, run_jobs, host):
    _hook(receiver.url.replace("127.0.0.1", host))
    make_ticket()
    delivery = _deliver(app, run_jobs)
    assert receiver.requests == []
    assert delivery.status == "failed" and delivery.response_code is None
    assert "loopback, private or link-local address" in delivery.last_error


@pytest.mark.parametrize("host", ["127.0.0.1", "LocalHost"])
def test_a_name_that_resolves_to_a_public_address_first_is_still_refused_on_connecting(
    app, receiver, run_jobs, monkeypatch, host
):
    # DNS rebinding: the check saw a public address, the connection goes to 127.0.0.1.
    monkeypatch.setattr(webhook_job, "_refuse_local_host", lambda host, port: None)
    _hook(receiver.url.replace("127.0.0.1", host))
    make_ticket()
    delivery = _deliver(app, run_jobs)
    assert receiver.requests == []
    assert "loopback, private or link-local address" in delivery.last_error


def test_the_local_network_can_be_allowed_by_the_config(app, receiver, run_jobs):
    app.config["WEBHOOK_LOCAL_NETWORK"] = True
    _hook(receiver.url)
    make_ticket()
    assert _deliver(app, run_jobs).status == "delivered"
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "::1",
        "fe80::1%eth0",
        "fd00::1",
        "::ffff:10.0.0.1",
    ],
)
def test_local_addresses_are_recognised(address):
    assert webhook_job.is_local_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass(address):
    assert not webhook_job.is_local_address(address)


# -- refused when the admin saves it, if the URL names a local address itself -----------------


def _save(app, client, path: str, url: str):
    form = {"name": "CRM", "url": url, "events": ["ticket.created"]}
    return client.post(path, data={**form, "csrf_token": csrf_token(app, client)})


def _url_error(response) -> str:
    found = re.search(r'<small id="url-error" class="field-error">(.*?)</small>', response.text)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1/", "127.0.0.1"),
        ("http://10.0.0.5/hook", "10.0.0.5"),
        ("https://192.168.1.20:8443/in", "192.168.1.20"),
        ("http://[::1]/", "::1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]:6379/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),  # the resolver reads it as 127.0.0.1
    ],
)
def test_a_url_naming_a_local_address_is_refused_at_the_field_when_saved(
    app, client, login, create_user, url, shown
):
    admin = create_user(email="ola@example.pl", name="Ola", role=Role.ADMIN, locale="pl")
    hook = webhooks.create_webhook("CRM", "https://crm.example.com/in", ["ticket.created"], None)
    db.session.commit()
    login(admin)
    created = _save(app, client, "/admin/webhooks", url)
    edited = _save(app, client, f"/admin/webhooks/{hook.id}", url)
    for response in (created, edited):
        assert response.status_code == 422
        assert _url_error(response).endswith(
            "to adres tego serwera lub sieci prywatnej: webhooki wywołują tylko adresy publiczne."
        )
        assert shown in _url_error(response)
    assert '<label for="name">Nazwa webhooka<' in created.text  # a webhook's name, not a person's
    db.session.expire_all()
    assert [h.url for h in db.session.scalars(select(Webhook))] == ["https://crm.example.com/in"]


def test_a_host_name_is_not_looked_up_when_saved_and_the_local_network_can_be_allowed(
    app, client, login, admin, monkeypatch
):
    looked_up = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if not kwargs.get("flags", 0) & socket.AI_NUMERICHOST:
            looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    login(admin)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    named = _save(app, client, "/admin/webhooks", "http://intranet.example.com/hook")
    monkeypatch.undo()
    assert named.status_code == 303 and _url_error(named) == ""
    assert "intranet.example.com" not in looked_up  # checked when a delivery is sent
    app.config["WEBHOOK_LOCAL_NETWORK"] = True
    assert _save(app, client, "/admin/webhooks", "http://10.0.0.5/hook").status_code == 303
    db.session.expire_all()
    assert sorted(h.url for h in db.session.scalars(select(Webhook))) == [
        "http://10.0.0.5/hook",
        "http://intranet.example.com/hook",
    ]
