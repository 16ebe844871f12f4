"""Hash banks: creation rules, imports (CSV and text), tombstones, export round trip, scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from cthub.content import (
    add_files,
    create_bank,
    export_rows,
    get_bank,
    import_list,
    list_banks,
    remove_entry,
)
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.interfaces.cli.runtime import OPERATOR
from tests import factories
from tests.content.photos import BRIDGE, LABELME

PDQ_A = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
PDQ_B = "b0a10efd71cc3f429413d48d0ffffe12e34e0e17ada952a9d29684210aa9e5af"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_create_validates_and_refuses_duplicates(hub: Hub) -> None:
    b = create_bank(hub, OPERATOR, "gifct-demo", label="propaganda", threshold=28,
                    tlp="TLP:GREEN")  # fmt: skip
    assert (b.threshold, b.tlp, b.default_label, b.action) == (28, "TLP:GREEN", "propaganda",
                                                               "review")  # fmt: skip
    with pytest.raises(Conflict):
        create_bank(hub, OPERATOR, "gifct-demo")
    for bad in ({"name": "../x"}, {"name": "ok", "threshold": 300}, {"name": "ok", "tlp": "RED"},
                {"name": "ok", "action": "delete"}, {"name": "ok", "label": "a,b"}):  # fmt: skip
        with pytest.raises(InvalidInput):
            create_bank(hub, OPERATOR, **bad)  # type: ignore[arg-type]


def test_csv_import_reports_bad_lines_and_keeps_the_rest(hub: Hub) -> None:
    create_bank(hub, OPERATOR, "b1", label="manifesto")
    data = (
        "signal_type,hash,label\n"
        f"pdq,{PDQ_A.upper()},propaganda\n"
        f"pdq,{PDQ_A[:-2]},propaganda\n"  # too short
        f"md5,{MD5},\n"  # the bank's default label
        "sha1,abcd,x\n"  # unknown signal
        f"pdq,{PDQ_A},again\n"  # the same hash twice
    ).encode()
    r = import_list(hub, OPERATOR, "b1", data, "list.csv")
    assert (r.added, r.present) == (2, 1)
    assert [w for w, _ in r.errors] == ["list.csv:3", "list.csv:5"]
    assert "64 hexadecimal" in r.errors[0][1]
    rows = list(export_rows(hub, OPERATOR, "b1"))
    assert rows == [("pdq", PDQ_A, "propaganda", "active"), ("md5", MD5, "manifesto", "active")]


def test_text_form_with_threatexchange_types(hub: Hub) -> None:
    create_bank(hub, OPERATOR, "te")
    text = f"# exported\nHASH_PDQ {PDQ_A} attack-footage,other\nHASH_MD5 {MD5}\nbroken\n"
    r = import_list(hub, OPERATOR, "te", text.encode(), "te.txt")
    assert r.added == 2
    assert r.errors == [("te.txt:4", "expected SIGNAL HASH [LABEL]")]
    assert ("pdq", PDQ_A, "attack-footage", "active") in list(export_rows(hub, OPERATOR, "te"))


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"\x00\x01binary", "NUL"), (b"a,b,c\n1,2,3\n", "header"), (b"\xff\xfe\xfa", "UTF-8")],
)
def test_a_file_that_is_not_a_hash_list_changes_nothing(hub: Hub, data: bytes, needle: str) -> None:
    create_bank(hub, OPERATOR, "b2")
    import_list(hub, OPERATOR, "b2", f"pdq {PDQ_A}\n".encode(), "ok.txt")
    with pytest.raises(InvalidInput, match=needle):
        import_list(hub, OPERATOR, "b2", data, "bad.csv")
    assert get_bank(hub, OPERATOR, "b2").active == 1


def test_tombstones_are_exported_and_reimport_restores(hub: Hub) -> None:
    create_bank(hub, OPERATOR, "b3")
    import_list(hub, OPERATOR, "b3", f"pdq {PDQ_A}\npdq {PDQ_B}\n".encode(), "l.txt")
    exported = "signal_type,hash,label,status\n" + "\n".join(
        ",".join(r) for r in export_rows(hub, OPERATOR, "b3")
    )
    first = next(e for e in _entries(hub, "b3") if e[1] == PDQ_A)
    remove_entry(hub, OPERATOR, "b3", first[0], reason="wrongly listed")
    view = get_bank(hub, OPERATOR, "b3")
    assert (view.active, view.removed) == (1, 1)
    assert ("pdq", PDQ_A, "", "removed") in list(export_rows(hub, OPERATOR, "b3"))
    # a partner's copy applies the removal from the exported status column
    create_bank(hub, OPERATOR, "copy")
    import_list(hub, OPERATOR, "copy", exported.encode(), "export.csv")
    removal = "signal_type,hash,label,status\n" + "\n".join(
        ",".join(r) for r in export_rows(hub, OPERATOR, "b3")
    )
    r = import_list(hub, OPERATOR, "copy", removal.encode(), "export2.csv")
    assert r.removed == 1
    assert get_bank(hub, OPERATOR, "copy").active == 1
    # adding the hash again brings it back
    r = import_list(hub, OPERATOR, "b3", f"pdq {PDQ_A}\n".encode(), "again.txt")
    assert r.added == 1
    assert get_bank(hub, OPERATOR, "b3").active == 2


def _entries(hub: Hub, name: str) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from cthub.content.models import ContentBank, ContentEntry

    with hub.db.session() as s:
        return [tuple(r) for r in s.execute(  # type: ignore[misc]
            select(ContentEntry.id, ContentEntry.hash).join(ContentBank)
            .where(ContentBank.name == name).order_by(ContentEntry.id))]  # fmt: skip


def test_add_files_hashes_photos_and_reports_unreadable(hub: Hub, tmp_path: Path) -> None:
    create_bank(hub, OPERATOR, "files", label="propaganda")
    junk = tmp_path / "notes.txt"
    junk.write_text("just text")
    r = add_files(hub, OPERATOR, "files", [BRIDGE, LABELME[0], junk, tmp_path / "missing.jpg"])
    # two photos: md5 + sha256 + pdq each; the text file: exact hashes only
    assert r.added == 8
    assert [Path(w).name for w, _ in r.errors] == ["missing.jpg"]


def test_scope_other_organisations(hub: Hub) -> None:
    owner = factories.member(hub, "analyst")
    other = factories.member(hub, "analyst")
    viewer = factories.member(hub, "viewer", owner.org)
    create_bank(hub, owner.actor, "amber", tlp="TLP:AMBER")
    create_bank(hub, owner.actor, "green", tlp="TLP:GREEN")
    assert [b.name for b in list_banks(hub, other.actor)] == ["green"]
    with pytest.raises(NotFound):
        get_bank(hub, other.actor, "amber")
    with pytest.raises(Forbidden):
        import_list(hub, other.actor, "green", f"pdq {PDQ_A}\n".encode(), "l.txt")
    with pytest.raises(Forbidden):
        import_list(hub, viewer.actor, "amber", f"pdq {PDQ_A}\n".encode(), "l.txt")
    assert [b.name for b in list_banks(hub, viewer.actor)] == ["amber", "green"]


def test_labels_never_start_a_spreadsheet_formula(hub: Hub) -> None:
    with pytest.raises(InvalidInput, match="not allowed"):
        create_bank(hub, OPERATOR, "f1", label="=cmd")
    create_bank(hub, OPERATOR, "f2")
    import_list(hub, OPERATOR, "f2", f"pdq {PDQ_A} =HYPERLINK(x)\n".encode(), "l.txt")
    assert [r[2] for r in export_rows(hub, OPERATOR, "f2")] == ["HYPERLINK(x)"]
