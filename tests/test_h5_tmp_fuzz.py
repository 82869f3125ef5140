import pytest
from django.apps import apps
from agreements.importing import run_import
from tests import factories as f
from tests.sheets import agreement_row, csv_bytes
pytestmark = pytest.mark.django_db

def counts():
    return {m._meta.label: m.objects.count() for app in ("partnerships","agreements","delegations") for m in apps.get_app_config(app).get_models()}

def test_x():
    f.CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    f.CityFactory(name="Minsk", name_en="Minsk", country="BY")
    f.FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    f.PersonFactory(full_name="Trần Sỹ Thanh")
    u = f.editor()
    o = run_import(sheet="agreements", file_name="a.csv", data=csv_bytes([agreement_row(reference="FUZZ-0")]), user=u, dry_run=False)
    print(o.summary(), o.errors)
    b = counts()
    o = run_import(sheet="agreements", file_name="a.csv", data=csv_bytes([agreement_row(reference="FUZZ-0", home_city="\x00")]), user=u, dry_run=False)
    a = counts()
    print(o.summary(), o.errors, o.rows)
    print({k:(b[k],a[k]) for k in b if b[k]!=a[k]})
