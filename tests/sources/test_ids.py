import hashlib
import re

import pytest
from django.core.exceptions import ValidationError

from sources.models import Source, source_id_for_url
from sources.services import source_create
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

URL = "https://carnegieendowment.org/research/2025/10/how-china-views-ai-risks"


def test_source_id_is_first_16_hex_digits_of_the_url_sha256():
    source = source_create(url=URL, title="How China views AI risks")

    assert source.id == hashlib.sha256(URL.encode()).hexdigest()[:16]
    assert source.id == source_id_for_url(URL)


def test_stable_id_is_sid_and_ten_letters_or_digits():
    source = source_create(url=URL)

    assert re.fullmatch(r"sid_[A-Za-z0-9]{10}", source.stable_id)


def test_each_source_gets_its_own_stable_id():
    ids = {source_create(url=f"{URL}/{n}").stable_id for n in range(20)}

    assert len(ids) == 20


def test_id_stays_when_the_url_is_corrected():
    source = source_create(url=URL)
    original_id = source.id

    source.url = URL + "-corrected"
    source.full_clean()
    source.save()

    source.refresh_from_db()
    assert source.id == original_id
    assert Source.objects.count() == 1


def test_changing_the_stable_id_is_refused():
    source = source_create(url=URL)
    stored = source.stable_id

    source.stable_id = "sid_AAAAAAAAAA"
    with pytest.raises(ValidationError) as excinfo:
        source.save()

    assert excinfo.value.code == "immutable"
    assert Source.objects.get().stable_id == stored


def test_changing_the_id_is_refused_and_creates_no_second_row():
    source = source_create(url=URL)

    source.id = "0123456789abcdef"
    with pytest.raises(ValidationError) as excinfo:
        source.save()

    assert excinfo.value.code == "immutable"
    assert list(Source.objects.values_list("id", flat=True)) == [source_id_for_url(URL)]


def test_ids_given_by_an_import_are_kept_and_a_bare_stable_id_gets_its_prefix():
    source = source_create(url=URL, source_id="4f75d2d6d47e8531", stable_id="Xsa5pDhYPF")

    source.refresh_from_db()
    assert source.id == "4f75d2d6d47e8531"
    assert source.stable_id == "sid_Xsa5pDhYPF"


def test_stable_id_lookup_accepts_bare_and_prefixed_forms():
    source = source_create(url=URL, stable_id="sid_Xsa5pDhYPF")

    assert Source.objects.by_stable_id("Xsa5pDhYPF").get() == source
    assert Source.objects.by_stable_id("sid_Xsa5pDhYPF").get() == source


def test_a_new_url_whose_id_is_taken_is_reported_on_the_url_field():
    first = source_create(url=URL)
    first.url = URL + "-moved"
    first.save()

    with pytest.raises(ValidationError) as excinfo:
        source_create(url=URL)

    assert "url" in excinfo.value.message_dict
    assert first.id in excinfo.value.message_dict["url"][0]
    assert Source.objects.count() == 1


def test_a_malformed_given_id_is_rejected_with_a_message():
    with pytest.raises(ValidationError) as excinfo:
        source_create(url=URL, source_id="not-hex-at-all!")

    assert "id" in excinfo.value.message_dict
    assert not Source.objects.exists()


def test_factory_built_sources_get_ids_on_save():
    source = SourceFactory()

    assert source.id == source_id_for_url(source.url)
    assert source.stable_id.startswith("sid_")
