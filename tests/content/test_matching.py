"""Matching files against banks: near-duplicates found, unrelated photos not, thresholds per
bank, negative banks, dihedral variants, the index kept in step, and flood quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest

from cthub.content import (
    add_files,
    alerts,
    create_bank,
    import_list,
    match_files,
    match_hashes,
    matcher,
    queue,
    remove_entry,
    resolve_alert,
)
from cthub.core.hub import Hub
from cthub.interfaces.cli.runtime import OPERATOR
from tests.conftest import make_settings
from tests.content.photos import BRIDGE, LABELME, REF, edited


@pytest.fixture
def base(hub: Hub) -> Hub:
    return hub


EDITS = ("resize", "recompress", "crop", "watermark", "grey")


@pytest.fixture
def banked(hub: Hub) -> Hub:
    create_bank(hub, OPERATOR, "propaganda", label="propaganda", tlp="TLP:GREEN")
    add_files(hub, OPERATOR, "propaganda", [BRIDGE])
    return hub


def test_edited_copies_match_and_unrelated_photos_do_not(banked: Hub, tmp_path: Path) -> None:
    copies = [edited(BRIDGE, tmp_path / f"{how}.jpg", how) for how in EDITS]
    results = match_files(banked, OPERATOR, copies + LABELME)
    found = {Path(r.path).name: r.matches for r in results}
    recall = sum(1 for c in copies if found[c.name]) / len(copies)
    assert recall >= 0.8  # the robustness set: resize, q50, 5% crop, watermark, grey
    false = sum(1 for p in LABELME if found[p.name])
    assert false == 0
    hit = next(m for r in results for m in r.matches if m.signal == "pdq")
    assert hit.distance <= 31
    assert hit.label == "propaganda"
    assert "PDQ distance" in hit.explanation()


def test_the_exact_file_matches_by_every_signal(banked: Hub) -> None:
    (r,) = match_files(banked, OPERATOR, [BRIDGE])
    assert {m.signal for m in r.matches} == {"md5", "sha256", "pdq"}
    assert all(m.review_id for m in r.matches)
    items, total = queue(banked, OPERATOR)
    assert total == 3
    assert all(i.state == "open" for i in items)


def test_threshold_is_per_bank(hub: Hub, tmp_path: Path) -> None:
    create_bank(hub, OPERATOR, "strict", threshold=0)
    import_list(hub, OPERATOR, "strict", _pdq_line(BRIDGE), "l.txt")
    copy = edited(BRIDGE, tmp_path / "r.jpg", "recompress")
    (r,) = match_files(hub, OPERATOR, [copy])
    assert all(m.distance == 0 for m in r.matches)


def _pdq_line(path: Path) -> bytes:
    from cthub.content import hash_file

    return f"pdq {hash_file(path).pdq}\n".encode()


def test_low_quality_photo_is_not_matched_and_says_so(banked: Hub) -> None:
    (r,) = match_files(banked, OPERATOR, [REF / "misc-images" / "small.jpg"])
    assert not [m for m in r.matches if m.signal == "pdq"]
    assert any("below 50" in n for n in r.notes)


def test_negative_bank_suppresses(banked: Hub, tmp_path: Path) -> None:
    create_bank(banked, OPERATOR, "benign", negative=True)
    copy = edited(BRIDGE, tmp_path / "news.jpg", "resize")
    add_files(banked, OPERATOR, "benign", [copy])
    (r,) = match_files(banked, OPERATOR, [copy])
    assert r.matches == []
    assert r.suppressed_by == ["benign"]


def test_rotations_match_only_with_dihedral(banked: Hub, tmp_path: Path) -> None:
    turned = edited(BRIDGE, tmp_path / "turned.jpg", "rotate")
    (plain,) = match_files(banked, OPERATOR, [turned], record=False)
    (turn,) = match_files(banked, OPERATOR, [turned], dihedral=True, record=False)
    assert not [m for m in plain.matches if m.signal == "pdq"]
    assert [m for m in turn.matches if m.signal == "pdq"]


def test_index_follows_additions_and_removals(hub: Hub) -> None:
    create_bank(hub, OPERATOR, "live")
    assert match_files(hub, OPERATOR, [LABELME[1]], record=False)[0].matches == []
    add_files(hub, OPERATOR, "live", [LABELME[1]])
    (r,) = match_files(hub, OPERATOR, [LABELME[1]], record=False)
    pdq = next(m for m in r.matches if m.signal == "pdq")
    remove_entry(hub, OPERATOR, "live", pdq.entry_id)
    (r,) = match_files(hub, OPERATOR, [LABELME[1]], record=False)
    assert [m.signal for m in r.matches if m.signal == "pdq"] == []
    # a fresh process loads the saved index and catches up from the database
    matcher.pdq_index(hub).save()
    matcher._INDEXES.clear()
    add_files(hub, OPERATOR, "live", [LABELME[2]])
    (r,) = match_files(hub, OPERATOR, [LABELME[2]], record=False)
    assert "pdq" in {m.signal for m in r.matches}


def test_bank_filter_and_hash_queries(banked: Hub) -> None:
    from cthub.content import hash_file

    h = hash_file(BRIDGE)
    create_bank(banked, OPERATOR, "other")
    r = match_hashes(banked, OPERATOR, [("pdq", h.pdq.upper())], banks=["other"], record=False)
    assert r.matches == []
    r = match_hashes(banked, OPERATOR, [("pdq", h.pdq), ("md5", h.md5)], record=False)
    assert {(m.bank, m.signal) for m in r.matches} == {("propaganda", "pdq"), ("propaganda", "md5")}


def test_a_flood_quarantines_the_hash_and_raises_an_alert(tmp_path: Path, base: Hub) -> None:
    hub = Hub(make_settings(tmp_path, base.db.url, content_flood_matches=3), base.db)
    create_bank(hub, OPERATOR, "poisoned")
    import_list(hub, OPERATOR, "poisoned", _pdq_line(BRIDGE), "l.txt")
    results = [match_files(hub, OPERATOR, [BRIDGE])[0] for _ in range(4)]
    assert [len(r.matches) for r in results] == [1, 1, 1, 0]
    assert results[2].quarantined
    (alert,) = alerts(hub, OPERATOR)
    assert alert.matches == 3
    assert alert.bank == "poisoned"
    resolve_alert(hub, OPERATOR, alert.id, "release")
    assert len(match_files(hub, OPERATOR, [BRIDGE], record=False)[0].matches) == 1


def test_a_banked_video_matches_its_reencoded_copy(hub: Hub, tmp_path: Path) -> None:
    from tests.content.test_video import (
        COPY_CODEC,
        _frames,
        _photo_scenes,
        _shape_scenes,
        reencode,
        write_video,
    )

    original = write_video(tmp_path / "attack.mp4", _frames(_photo_scenes()))
    copy = reencode(original, tmp_path / "repost.mp4", (224, 168), COPY_CODEC)
    other = write_video(tmp_path / "cartoon.mp4", _frames(_shape_scenes(6)))
    create_bank(hub, OPERATOR, "videos", label="attack-footage")
    added = add_files(hub, OPERATOR, "videos", [original])
    assert added.added == 3, added.errors  # md5, sha256, frame list
    results = match_files(hub, OPERATOR, [copy, other], record=False)
    assert [m.signal for m in results[0].matches] == ["vpdq"]
    assert results[0].matches[0].label == "attack-footage"
    assert results[1].matches == []
