"""The one upload limit agrees with the shipped nginx configuration (system check W001)."""

from common.checks import nginx_body_limit_bytes, upload_limit_matches_nginx


def test_the_shipped_nginx_says_the_same_upload_limit_as_the_settings(settings):
    assert upload_limit_matches_nginx() == []
    assert settings.MAX_REQUEST_BODY_BYTES == settings.UPLOAD_MAX_MB * 1024 * 1024


def test_a_different_upload_limit_is_reported(settings):
    settings.UPLOAD_MAX_MB = 20
    settings.MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024
    [warning] = upload_limit_matches_nginx()
    assert warning.id == "kaowutong.W001"
    assert "client_max_body_size 20m" in warning.hint


def test_nginx_sizes_are_read_in_bytes():
    assert nginx_body_limit_bytes("client_max_body_size 16m;") == 16 * 1024 * 1024
    assert nginx_body_limit_bytes("  client_max_body_size 512k;") == 512 * 1024
    assert nginx_body_limit_bytes("# client_max_body_size 6m;") is None
