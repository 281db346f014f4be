import pytest
from django.core.management import CommandError, call_command

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


def test_tree_integrity_check_names_a_node_outside_its_parent(tree):
    """What concurrent mptt inserts do to lft/rght without the advisory lock: the check must say so."""
    station = Jurisdiction.objects.get(code="620102001")
    Jurisdiction.objects.filter(pk=station.pk).update(lft=station.lft + 100_000, rght=station.rght + 100_000)
    with pytest.raises(CommandError, match="节点 620102001 不在其上级的左右值区间内"):
        call_command("check_tree")


def test_tree_integrity_check_names_a_station_under_the_province(tree):
    station = Jurisdiction.objects.get(code="620102001")
    Jurisdiction.objects.filter(pk=station.pk).update(parent=tree)
    with pytest.raises(CommandError, match=r"节点 620102001（station）不能挂在 620000（province）之下"):
        call_command("check_tree")


def test_every_issuer_has_its_own_abbreviation_and_the_bureaus_keep_their_two_characters(tree):
    """Document numbers (（城关）市监特令〔2026〕第3号) are unique only if no two issuers share the short name."""
    issuers = Jurisdiction.objects.exclude(tier=Tier.STATION)
    short = {node.code: node.abbreviation() for node in issuers}
    assert len(set(short.values())) == len(short) == issuers.count()
    by_name = {node.name: short[node.code] for node in issuers}
    assert by_name["城关区"] == "城关" and by_name["兰州市"] == "兰州" and by_name["兰州新区"] == "兰州新区"
    assert by_name["甘肃省"] == "甘肃" and by_name["甘肃矿区"] == "甘肃矿区"
    assert by_name["白银市"] == "白银" and by_name["白银区"] == "白银区"
    assert by_name["临夏回族自治州"] == "临夏"
    assert by_name["临夏市"] == "临夏市" and by_name["临夏县"] == "临夏县"
