from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from jurisdictions.models import Jurisdiction


class Command(BaseCommand):
    help = "检查辖区树的完整性（MPTT 左右值、父子层级关系）。"

    def handle(self, *args, **options):
        problems = []
        with connection.cursor() as cur:
            cur.execute("""
                SELECT c.code FROM jurisdictions_jurisdiction c JOIN jurisdictions_jurisdiction p ON p.id = c.parent_id
                WHERE NOT (c.tree_id = p.tree_id AND c.lft > p.lft AND c.rght < p.rght AND c.level = p.level + 1)
            """)
            problems += [_("节点 %(code)s 不在其上级的左右值区间内") % {"code": code} for (code,) in cur.fetchall()]
            cur.execute("SELECT code FROM jurisdictions_jurisdiction WHERE rght <= lft")
            problems += [_("节点 %(code)s 的左右值无效") % {"code": code} for (code,) in cur.fetchall()]
            cur.execute("""
                SELECT tree_id FROM jurisdictions_jurisdiction GROUP BY tree_id
                HAVING MAX(rght) <> 2 * COUNT(*) OR MIN(lft) <> 1
            """)
            problems += [_("树 %(tree)s 的左右值不连续") % {"tree": tid} for (tid,) in cur.fetchall()]
        allowed = {"city": {"province"}, "county": {"city"}, "station": {"city", "county"}}
        for node in Jurisdiction.objects.select_related("parent").exclude(parent=None):
            if node.parent.tier not in allowed.get(node.tier, set()):
                problems.append(_("节点 %(code)s（%(tier)s）不能挂在 %(parent)s（%(parent_tier)s）之下") % {
                    "code": node.code, "tier": node.tier, "parent": node.parent.code, "parent_tier": node.parent.tier})
        if problems:
            raise CommandError("\n".join(problems))
        count = Jurisdiction.objects.count()
        self.stdout.write(self.style.SUCCESS(_("辖区树完整：%(count)d 个节点。") % {"count": count}))
