from samvirke.notices.models import Notice


def test_member_sees_own_and_shared_but_not_others(signed_in):
    client = signed_in("demo-hemnes")
    body = client.get("/notices/").content.decode()
    assert "Strømbrudd i Mo Industripark" in body  # AMBER shared with Hemnes
    assert "Intern varslingsliste for kriseledelsen i Rana" not in body  # AMBER+STRICT, Rana's
    assert "Sårbarheter i vannforsyningen" not in body  # RED
    strict = Notice.objects.get(title__startswith="Intern varslingsliste")
    assert client.get(f"/notices/{strict.pk}/").status_code == 404
