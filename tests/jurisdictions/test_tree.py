from django.core.management import call_command

from jurisdictions.duties import Tier
from jurisdictions.models import Jurisdiction


def test_load_jurisdictions_counts_every_tier(tree, capsys):
    call_command("load_jurisdictions")
    out = capsys.readouterr().out
    counts = {t: Jurisdiction.objects.filter(tier=t).count() for t in Tier.values}
    assert counts == {"province": 1, "city": 16, "county": 86, "station": 1403}
    assert "市场监管所（station）：1403" in out
    assert "新增 0，更新 0" in out  # idempotent: the session already loaded it


def test_city_tier_includes_lanzhou_new_area_and_gansu_mining_area(tree):
    cities = set(Jurisdiction.objects.filter(tier=Tier.CITY, parent=tree).values_list("code", flat=True))
    assert {"620171", "623100", "620100", "623000"} <= cities and len(cities) == 16


def test_jiayuguan_stations_hang_directly_under_the_city(tree):
    jiayuguan = Jurisdiction.objects.get(code="620200")
    assert set(jiayuguan.get_children().values_list("tier", flat=True)) == {Tier.STATION}


def test_station_names_follow_the_township(tree):
    station = Jurisdiction.objects.get(code="620102001")
    assert station.name == "酒泉路街道市场监督管理所"
    assert station.parent.code == "620102"


def test_tree_integrity_check_passes(tree, capsys):
    call_command("check_tree")
    assert "辖区树完整" in capsys.readouterr().out
