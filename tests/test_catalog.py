"""The catalog agrees with the listing, with solutions/ and with release/."""
import csv
from pathlib import Path

from mlpapers import catalog
from mlpapers.paths import RELEASE, SOLUTIONS
from mlpapers.readme import chapter_ready

LISTING = Path(__file__).parent / "data" / "listing_catalog.tsv"


def test_catalog_matches_the_listing():
    with LISTING.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == 43
    by_id = {p.id: p for p in catalog.problems()}
    assert sorted(by_id) == sorted(int(r["id"]) for r in rows)
    for r in rows:
        p = by_id[int(r["id"])]
        assert (p.chapter, p.difficulty) == (r["chapter"], r["difficulty"]), p
        assert list(p.tags) == [t.strip() for t in r["tags"].split(";")], p


def test_every_problem_has_a_title_slug_and_points_by_difficulty():
    slugs = set()
    for p in catalog.problems():
        assert p.title and p.slug.isidentifier(), p
        assert p.points == {"Easy": 5, "Medium": 10, "Hard": 15, "Hard◆": 20}[p.difficulty]
        assert p.notebook not in slugs
        slugs.add(p.notebook)
    assert [c.slug for c in catalog.chapters()] == [
        "turboquant", "gemma4", "triattention", "deepseek_v4", "diffusion_blocks", "nemotron3", "diffusiongemma"]


def test_solutions_and_release_hold_only_catalogued_notebooks():
    src = {str(p.relative_to(SOLUTIONS)) for p in SOLUTIONS.glob("*/*.ipynb")}
    known = {p.notebook for p in catalog.problems()}
    assert src <= known, f"solutions/ has notebooks not in the catalog: {sorted(src - known)}"
    rel = {str(p.relative_to(RELEASE)) for p in RELEASE.rglob("*.ipynb")}
    assert rel == {p.released for p in catalog.problems() if p.notebook in src}, \
        f"release/ and solutions/ differ: {sorted(rel ^ {p.released for p in catalog.problems() if p.notebook in src})}"


def test_release_is_one_folder_per_problem_and_nothing_else():
    """A class receives one problem at a time: release/<chapter>/ holds problem folders only, no
    chapter-wide file (a whole-chapter given module would hand out later problems' answers)."""
    folders = {p.folder for p in catalog.problems()}
    for chapter in RELEASE.iterdir():
        assert chapter.is_dir() and chapter.name in {c.slug for c in catalog.chapters()}, chapter
        for entry in chapter.iterdir():
            assert entry.is_dir() and f"{chapter.name}/{entry.name}" in folders, entry


def test_reading_order_lists_each_problem_of_its_chapter_once():
    for ch in catalog.chapters():
        if ch.reading_order:
            assert sorted(ch.reading_order) == sorted(p.id for p in catalog.problems(ch.slug)), ch.slug
        order = [p.id for p in catalog.in_reading_order(ch.slug)]
        assert [p.id for p in catalog.earlier(catalog.problem(order[-1]))] == order[:-1]
    assert [p.id for p in catalog.in_reading_order("gemma4")] == [182, 183, 181, 184, 185]


def test_a_started_chapter_is_complete():
    started = {p.chapter for p in catalog.problems() if (SOLUTIONS / p.notebook).exists()}
    assert "turboquant" in started
    for chapter in started:
        assert chapter_ready(chapter), f"chapter {chapter} has some but not all of its notebooks"
