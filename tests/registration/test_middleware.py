import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/r/%00/",
        "/r/abc%00def/",
        "/?session=%00",
        "/eligibility/?session=a%00b",
        "/counselor/?q=%00",
    ],
)
def test_nul_in_the_url_is_a_clean_400(client, announcement, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()
