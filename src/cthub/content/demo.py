"""Demo data for content: the video platform's hash banks and a review queue to work through.

Stand-in "terrorist content" is drawn here (seeded gradients, shapes and grain: no real
material ships with cthub). The platform owns a shared TLP:GREEN bank of propaganda hashes
and a negative bank of known-benign news photos; a few uploads, some re-encoded copies of
banked pictures and some unrelated, are matched so the queue holds explained items with
thumbnails. Idempotent: a second run finds the banks and matches nothing new.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from sqlalchemy import select

from cthub.content.banks import add_files, create_bank
from cthub.content.models import ContentBank
from cthub.content.service import match_files
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation

PLATFORM = "Example Video Platform"
BANK, BENIGN = "demo-propaganda", "demo-known-benign"
LABELS = ("propaganda", "attack-footage", "manifesto")


def picture(seed: int, size: tuple[int, int] = (480, 320)) -> Image.Image:
    """A deterministic textured picture (PDQ quality well above 50)."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = np.linspace(0, 1, h)[:, None, None]
    top, bottom = rng.integers(30, 220, 3), rng.integers(20, 200, 3)
    base = (top + (bottom - top) * ramp) * np.ones((1, w, 1))
    img = Image.fromarray(base.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(6, 10))):
        x0, y0 = int(rng.integers(0, w - 60)), int(rng.integers(0, h - 60))
        box = (x0, y0, x0 + int(rng.integers(40, w // 2)), y0 + int(rng.integers(40, h // 2)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    grain = rng.normal(0, 12, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(img) + grain, 0, 255).astype(np.uint8), "RGB")


def _save(img: Image.Image, path: Path, quality: int = 90) -> Path:
    img.save(path, "JPEG", quality=quality)
    return path


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    with hub.db.session(readonly=True) as s:
        org = s.scalars(select(Organisation).where(Organisation.name == PLATFORM)).first()
        present = s.scalars(select(ContentBank.id).where(ContentBank.name == BANK)).first()
    if org is None:
        return {"skipped": f"no organisation {PLATFORM}"}
    if present is not None:
        return {"banks": 0, "matched": 0}
    owner = Actor("platform.trust-safety", "admin", org.id, None, via="demo")
    create_bank(hub, owner, BANK, label="propaganda", tlp="TLP:GREEN",
                description="Demo stand-ins for shared propaganda hashes")  # fmt: skip
    create_bank(hub, owner, BENIGN, negative=True, tlp="TLP:GREEN",
                description="Known-benign news photos that must not match")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cthub-demo-content-") as tmp:
        d = Path(tmp)
        for i, label in enumerate(LABELS * 2):
            add_files(hub, owner, BANK, [_save(picture(100 + i), d / f"banked-{i}.jpg")],
                      label=label)  # fmt: skip
        add_files(hub, owner, BENIGN, [_save(picture(200), d / "news.jpg")])
        uploads = [
            _save(picture(100).resize((360, 240)), d / "upload-reencoded.jpg", quality=60),
            _save(picture(101), d / "upload-same-file.jpg"),
            _save(picture(103).convert("L").convert("RGB"), d / "upload-grey.jpg"),
            _save(picture(200).resize((400, 266)), d / "upload-news.jpg", quality=70),
            _save(picture(300), d / "upload-holiday.jpg"),
        ]
        results = match_files(hub, owner, uploads, refs=[p.name for p in uploads])
    return {"banks": 2, "matched": sum(1 for r in results if r.matches)}


__all__ = ["load_demo", "picture"]
