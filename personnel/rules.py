"""The staffing rules of Orders 73/74 and seed 002, written down once, each with its source.

Rules marked [P] in docs/domain.md are settings entries (editable data), not constants: see
``PERSONNEL_FORBIDDEN_CONCURRENT_POSTS``, ``PERSONNEL_REQUIRED_CERTIFICATES`` and
``PERSONNEL_ASSESSMENT_PASS_MARK`` in settings.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from personnel.choices import AssessmentResult, Post
from portal.kit.wording import noted
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
    forbid it"; docs/domain.md §Responsibility system reads Order 73 as forbidding a quality safety director to be also
    a quality safety officer [P], so this is a setting.
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


# 特种设备安全管理和作业人员 items and their codes (TSG Z6001-2019《特种设备作业人员考核规则》附件 A,
# 特种设备作业人员资格认定分类与项目) [C]. Codes outside it (older certificates) are shown as entered.
CERTIFICATE_ITEMS: dict[str, str] = {
    "A": "特种设备安全管理",
    "G1": "工业锅炉司炉", "G2": "电站锅炉司炉", "G3": "锅炉水处理",
    "R1": "快开门式压力容器操作", "R2": "移动式压力容器充装", "R3": "氧舱维护保养",
    "P": "气瓶充装",
    "T": "电梯修理",
    "Q1": "起重机指挥", "Q2": "起重机司机",
    "S1": "客运索道修理", "S2": "客运索道司机",
    "Y1": "大型游乐设施修理", "Y2": "大型游乐设施操作",
    "N1": "叉车司机", "N2": "观光车和观光列车司机",
    "F": "安全阀校验",
}


def certificate_name(code: str) -> str:
    """"特种设备安全管理（A）" for a catalogued item code; an unknown code as it was entered."""
    name = CERTIFICATE_ITEMS.get(code)
    return noted(name, code) if name else code


def assessment_pass_mark() -> int:
    """The lowest passing score of a spot assessment (监督抽查考核, seed 002 附件 8) [P].

    Seed 002 orders county-and-higher regulators to run the assessments and Order 74 Art. 147 says
    what follows a failure, but neither sets a pass mark, so the mark is a setting
    (``PERSONNEL_ASSESSMENT_PASS_MARK``, 60 of 100 by default) for the province to fix when SAMR's
    assessment rules name one, not a constant presented as the law.
    """
    return int(settings.PERSONNEL_ASSESSMENT_PASS_MARK)


def assessment_result(score: int) -> AssessmentResult:
    """The result a score means. A result that contradicts its score is refused rather than taken as
    a regulator's override: the score is what the record proves, the flag it raises takes a person
    off duty (Order 74 Art. 147), and someone who does not sit or abandons the assessment is recorded
    with the score they got (0), so no case needs a 95-point failure."""
    return AssessmentResult.PASSED if score >= assessment_pass_mark() else AssessmentResult.FAILED


def contradicts_score(score: int, result: str) -> str | None:
    """What is wrong with recording ``result`` for ``score``, or None when they agree."""
    expected = assessment_result(score)
    if result == expected:
        return None
    if expected == AssessmentResult.PASSED:
        message = _("得分 %(score)d 分，达到合格分数线 %(mark)d 分，结果应为“合格”。")
    else:
        message = _("得分 %(score)d 分，低于合格分数线 %(mark)d 分，结果应为“不合格”。")
    return message % {"score": score, "mark": assessment_pass_mark()}
