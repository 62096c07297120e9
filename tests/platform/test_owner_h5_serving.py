"""The owner app's H5 files: pre-compressed variants by Accept-Encoding, a year's cache for hashed
assets, the index revalidated on every visit, nothing outside the build."""

from __future__ import annotations

import gzip

import pytest


@pytest.fixture
def build(tmp_path, monkeypatch):
    from config import views

    (tmp_path / "assets").mkdir()
    files = {
        "index.html": b"<!doctype html><title>owner</title>" * 20,
        "assets/index-AbC123.js": b"console.log('owner app');" * 50,
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(body))
        (tmp_path / f"{name}.br").write_bytes(b"BR:" + body[:10])  # a stand-in: only which file is sent matters
    monkeypatch.setattr(views, "OWNER_H5", tmp_path)
    return files


def _get(client_for, company, path, encoding=None):
    client = client_for(company)
    headers = {"HTTP_ACCEPT_ENCODING": encoding} if encoding is not None else {}
    return client.get(path, **headers)


def test_a_browser_taking_brotli_gets_the_brotli_file_cached_for_a_year(build, client_for, company_a):
    answer = _get(client_for, company_a, "/h5/assets/index-AbC123.js", "gzip, deflate, br, zstd")
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "br"
    assert b"".join(answer.streaming_content) == b"BR:" + build["assets/index-AbC123.js"][:10]
    assert answer["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert "Accept-Encoding" in answer["Vary"]
    assert answer["Cache-Control"] == "public, max-age=31536000, immutable"


def test_gzip_only_and_no_compression(build, client_for, company_a):
    gz = _get(client_for, company_a, "/h5/assets/index-AbC123.js", "gzip;q=1.0")
    assert gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(gz.streaming_content)) == build["assets/index-AbC123.js"]
    plain = _get(client_for, company_a, "/h5/assets/index-AbC123.js", "identity")
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == build["assets/index-AbC123.js"]
    assert "Accept-Encoding" in plain["Vary"]


def test_the_index_is_revalidated_on_every_visit(build, client_for, company_a):
    index = _get(client_for, company_a, "/h5/", "gzip")
    assert index.status_code == 200 and index["Content-Encoding"] == "gzip"
    assert index["Content-Type"] == "text/html; charset=utf-8"
    assert index["Cache-Control"] == "no-cache"


def test_nothing_outside_the_build_and_no_build_says_so(build, client_for, company_a, tmp_path, monkeypatch):
    assert _get(client_for, company_a, "/h5/assets/missing.js").status_code == 404
    assert _get(client_for, company_a, "/h5/../manage.py").status_code == 404
    assert _get(client_for, company_a, "/h5/%2e%2e/%2e%2e/pyproject.toml").status_code == 404
    from config import views

    monkeypatch.setattr(views, "OWNER_H5", tmp_path / "not-built")
    assert _get(client_for, company_a, "/h5/").status_code == 503
