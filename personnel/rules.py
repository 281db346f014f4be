"""The staffing rules of Orders 73/74 and seed 002, written down once, each with its source.

Rules marked [P] in DOMAIN.md are settings entries (editable data), not constants: see
``PERSONNEL_FORBIDDEN_CONCURRENT_POSTS`` and ``PERSONNEL_REQUIRED_CERTIFICATES`` in settings.
"""

from __future__ import annotations

from django.conf import settings

from personnel.choices import Post
from units.choices import UnitKind

# Which posts a unit of each kind must fill (seed 002 附件 1–3; Order 73 for producers with the
# "quality" titles, Order 74 for users; filling units follow the usage titles, 附件 3). [C]
REQUIRED_POSTS: dict[str, tuple[Post, ...]] = {
    UnitKind.PRODUCTION: (Post.PRINCIPAL, Post.QUALITY_SAFETY_DIRECTOR, Post.QUALITY_SAFETY_OFFICER),
    UnitKind.USAGE: (Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER),
    UnitKind.FILLING: (Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.SAFETY_OFFICER),
}

# One holder at a time; officers may be many ("at least one", Orders 73/74).
SINGLE_HOLDER_POSTS: frozenset[Post] = frozenset({Post.PRINCIPAL, Post.SAFETY_DIRECTOR, Post.QUALITY_SAFETY_DIRECTOR})


def posts_for(kinds) -> list[Post]:
    """The posts a unit of ``kinds`` has, in display order."""
    wanted = {post for kind in kinds for post in REQUIRED_POSTS.get(kind, ())}
    return [post for post in Post if post in wanted]


def missing_posts(kinds, holders: dict[str, int]) -> list[Post]:
    """Posts of ``kinds`` with no holder in office; ``holders`` counts in-office holders per post."""
    return [post for post in posts_for(kinds) if not holders.get(post)]


def forbidden_pairs() -> list[tuple[str, str, str]]:
    """(post, post, source): posts one person may not hold together at one unit.

    Seed 002 附件 4: directors and officers may be held concurrently "except where the two orders
    forbid it"; DOMAIN.md §6 reads Order 73 as forbidding a quality safety director to be also a
    quality safety officer [P], so this is a setting.
    """
    return [tuple(pair) for pair in settings.PERSONNEL_FORBIDDEN_CONCURRENT_POSTS]


def forbidden_with(post: str, held: set[str]) -> tuple[str, str] | None:
    """The (other post, source) that makes ``post`` impossible beside ``held``, if any."""
    for a, b, source in forbidden_pairs():
        if post == a and b in held:
            return b, source
        if post == b and a in held:
            return a, source
    return None


def required_certificates(post: str) -> tuple[str, ...]:
    """Certificate item codes a holder of ``post`` must have (seed 002 附件 2: "持证要求仍按照
    《特种设备使用管理规则》执行"; TSG 08 §2.4 requires the 安全管理 (A) certificate) [P]."""
    return tuple(settings.PERSONNEL_REQUIRED_CERTIFICATES.get(post, ()))
