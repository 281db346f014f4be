"""Create a regulator account from the server's command line: how the first province account exists.

The system administrator (``createsuperuser``) holds no scope in the portal, so it cannot make
regulator accounts there; whoever runs the server creates the first 省局 account here once, and that
account creates the others at ``/accounts/users/`` (docs/accounts.md). The event is audited with no
portal user as its author.
"""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jurisdictions import access
from jurisdictions.duties import REGULATOR_ROLES, Role
from jurisdictions.models import Jurisdiction
from jurisdictions.services import create_regulator


class Command(BaseCommand):
    help = "在命令行创建监管人员账号（用于开通第一个省局账号）。密码取自环境变量 PORTAL_ACCOUNT_PASSWORD 或交互输入。"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--jurisdiction", required=True, help=_("辖区代码，例如 620000"))
        parser.add_argument("--role", default=Role.LEADER, choices=[str(r) for r in REGULATOR_ROLES])
        parser.add_argument("--display-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, jurisdiction, role, display_name, email, **options):
        node = Jurisdiction.objects.filter(code=jurisdiction).first()
        if node is None:
            raise CommandError(_("没有代码为 %(code)s 的辖区（先运行 load_jurisdictions）。") % {"code": jurisdiction})
        password = os.environ.get("PORTAL_ACCOUNT_PASSWORD") or getpass.getpass(_("密码："))
        try:
            user = create_regulator(by=access.COMMAND_LINE, username=username, password=password,
                                    display_name=display_name or username, jurisdiction=node, role=role, email=email)
        except ValidationError as exc:
            raise CommandError(_("；").join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("已创建 %(username)s（%(node)s %(role)s）。") % {
            "username": user.username, "node": node.name, "role": user.get_role_display()}))
