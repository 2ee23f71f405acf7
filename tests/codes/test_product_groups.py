"""Named product groups: cooperation sectors plus medical, mineral and semiconductor groups."""

from __future__ import annotations

import pytest

from capcoop.codes.product_groups import (
    product_group,
    product_group_table,
    product_groups,
    select_products,
)
from capcoop.codes.products import hs_table
from capcoop.codes.sectors import cooperation_sectors
from capcoop.errors import InputError, UnknownProductError


def test_every_cooperation_sector_is_a_group():
    codes = [g.code for g in product_groups()]
    assert [s.code for s in cooperation_sectors()] == codes[:len(cooperation_sectors())]
    assert {"vaccines", "medicaments", "protective_equipment", "medical_devices", "diagnostics",
            "apis", "critical_minerals", "semiconductors"} <= set(codes)


@pytest.mark.parametrize(("group", "inside", "outside"), [
    ("vaccines", ["300220", "300241", "3002"], ["300490", "3003"]),
    ("medicaments", ["300310", "300490"], ["300220", "3005"]),
    ("protective_equipment", ["630790", "401511", "401519", "621010", "392620", "902000"],
     ["630710", "401310", "392690"]),
    ("medical_devices", ["901920", "902214", "9018", "841920"], ["9023", "902610"]),
    ("critical_minerals", ["283691", "280530", "811292"], ["2601", "7601"]),
    ("semiconductors", ["854231", "848620", "381800"], ["8543", "8517"]),
])
def test_membership(group, inside, outside):
    found = product_group(group)
    assert all(found.contains(c) for c in inside)
    assert not any(found.contains(c) for c in outside)


def test_medical_subgroups_lie_inside_the_medical_sector():
    medical = product_group("medical")
    codes = hs_table("HS17").query("level == 6").code.tolist()
    for name in ("vaccines", "medicaments"):
        sub = product_group(name)
        assert sub.parent == "medical"
        inside = [c for c, m in zip(codes, sub.mask(codes), strict=True) if m]
        assert inside and all(medical.contains(c) for c in inside)


def test_every_range_cites_a_reference():
    table = product_group_table()
    assert table["reference"].str.len().min() > 10 and table["rationale"].str.len().min() > 5
    ppe = table[table.group == "protective_equipment"]
    assert ppe.reference.str.contains("WCO/WHO").all()


def test_select_products():
    selection = select_products("vaccines, 3004")
    assert selection.labels() == ["vaccines", "3004"]
    assert select_products(None).all_goods
    member = select_products(["medical", "3004"]).membership(["300490", "720839"])
    assert sorted(member.item) == ["3004", "medical"]
    with pytest.raises(UnknownProductError) as err:
        select_products("vacines")
    assert "vaccines" in err.value.suggestions
    with pytest.raises(InputError, match="123"):
        select_products("123")
