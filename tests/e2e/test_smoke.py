import pytest


@pytest.mark.django_db(transaction=True)
def test_home_page_opens_in_chromium(live_server, phone_page, announcement):
    phone_page.goto(live_server.url + "/")
    assert "电子商务师" in phone_page.content()
