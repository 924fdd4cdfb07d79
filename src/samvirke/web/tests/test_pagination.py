from samvirke.organisations.models import Organisation, Region


def _add_municipalities(count):
    region = Region.objects.get(slug="helgeland-grense")
    Organisation.objects.bulk_create(
        Organisation(
            region=region,
            kind="municipality",
            name=f"Testkommune {i:03}",
            country="NO",
            municipality_number=f"9{i:03}",
        )
        for i in range(count)
    )


def test_overview_pages_municipalities_and_links_the_next_page(signed_in):
    _add_municipalities(55)  # 64 in all: two pages of 50
    client = signed_in("demo-coordinator")
    first = client.get("/overview/").content.decode()
    assert 'href="?page=2"' in first
    second = client.get("/overview/?page=2").content.decode()
    assert 'href="?page=1"' in second
    assert "Vilhelmina kommun" in second  # Swedish municipalities come after the Norwegian ones


def test_organisation_list_keeps_the_kind_filter_on_page_links(signed_in):
    _add_municipalities(110)
    client = signed_in("demo-coordinator")
    page = client.get("/organisations/?kind=municipality").content.decode()
    assert 'href="?kind=municipality&amp;page=2"' in page
