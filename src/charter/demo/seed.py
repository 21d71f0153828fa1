"""Demo data: a small services company, 星桥咨询 / Starbridge Consulting, and its clients.

Everything is written through the services, so the audit trail and the dashboard's recent
activity look like real use. Later issues add their own records to :func:`seed_demo`.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.accounts.services import create_user
from charter.core.services import add_attachment
from charter.crm.models import Client
from charter.crm.services.clients import create_client
from charter.crm.validators import uscc_check_character
from charter.demo.budget import seed_budget
from charter.demo.changes import seed_changes
from charter.demo.comms import seed_communications
from charter.demo.discovery import seed_discovery
from charter.demo.pipeline import seed_pipeline
from charter.demo.plan import seed_plan

# The same for every demo account; `charter demo` prints it.
DEMO_PASSWORD = "charter-demo-2026"  # noqa: S105 (printed on purpose)

# name, short name, industry, region, lifecycle, tags, first 17 characters of the USCC
CLIENTS = [
    (
        "上海云栖科技有限公司",
        "云栖科技",
        "制造业",
        "上海",
        "active",
        ["重点客户", "ERP"],
        "91310115MA1K4LQD2",
    ),
    (
        "深圳前海数据服务有限公司",
        "前海数据",
        "金融科技",
        "深圳",
        "prospect",
        ["数据平台"],
        "91440300MA5FQXW81",
    ),
    ("Northwind Trading Ltd", "Northwind", "Retail", "London, UK", "prospect", ["export"], ""),
    (
        "杭州青禾教育科技有限公司",
        "青禾教育",
        "教育",
        "杭州",
        "prospect",
        ["SaaS"],
        "91330106MA2H3RT64",
    ),
    ("Harbourline Logistics Pte. Ltd.", "Harbourline", "Logistics", "Singapore", "lead", [], ""),
]


def create_demo_client(spec: tuple, *, actor: User) -> Client:
    name, short, industry, region, lifecycle, tags, uscc_base = spec
    uscc = uscc_base + uscc_check_character(uscc_base) if uscc_base else ""
    return create_client(
        actor=actor,
        name=name,
        short_name=short,
        industry=industry,
        region=region,
        lifecycle=lifecycle,
        tags=tags,
        uscc=uscc,
    )


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    language: str = "zh-hans"
    email_domain: str = "starbridge.example"
    client: str | None = None  # the client organisation's full name


# The first user of each role is the one `charter demo` prints as that role's login.
USERS = [
    DemoUser("wanglei", "王磊 Wang Lei", Role.ADMIN),
    DemoUser("lina", "李娜 Li Na", Role.MANAGER),
    DemoUser("chenjie", "Chen Jie 陈杰", Role.MEMBER, language="en"),
    DemoUser(
        "zhangwei",
        "张伟 Zhang Wei",
        Role.CLIENT,
        email_domain="yunqi.example.cn",
        client="上海云栖科技有限公司",
    ),
    DemoUser("liuyang", "刘洋 Liu Yang", Role.MEMBER),
    DemoUser("sarah", "Sarah Miller", Role.MEMBER, language="en"),
    DemoUser("zhaomin", "赵敏 Zhao Min", Role.MEMBER),
    DemoUser(
        "james",
        "James Porter",
        Role.CLIENT,
        language="en",
        email_domain="northwind.example",
        client="Northwind Trading Ltd",
    ),
]

KICKOFF_AGENDA = """\
项目启动会议程 / Project kick-off agenda
客户 Client: 上海云栖科技有限公司
1. 双方团队介绍 / Introductions
2. 项目目标与范围 / Goals and scope
3. 沟通计划与例会安排 / Communication plan and weekly meetings
4. 下一步工作 / Next steps
"""

ACCOUNT_NOTES = """\
topic,note
决策人 decision maker,张伟 Zhang Wei (IT 总监 IT director)
预算 budget,约 80 万元 / about CNY 800k
风险 risk,上线时间与客户财年结束重合 / go-live coincides with the client's fiscal year end
"""


def seed_demo() -> bool:
    """Load the demo company once; returns False (and writes nothing) if any user exists."""
    with transaction.atomic():
        if User.objects.exists():
            return False
        admin = create_demo_user(USERS[0], actor=None, clients={})
        clients = {spec[0]: create_demo_client(spec, actor=admin) for spec in CLIENTS}
        people = {
            spec.username: create_demo_user(spec, actor=admin, clients=clients)
            for spec in USERS[1:]
        }
        add_demo_files(clients["上海云栖科技有限公司"], manager=people["lina"])
        project = seed_pipeline(clients, {admin.username: admin, **people})
        seed_plan(project, manager=people["lina"])
        seed_budget(project, manager=people["lina"])
        seed_communications(project, manager=people["lina"])
        seed_discovery(project, manager=people["lina"])
        seed_changes(project, manager=people["lina"])
    return True


def create_demo_user(spec: DemoUser, *, actor: User | None, clients: dict[str, Client]) -> User:
    return create_user(
        actor=actor,
        password=DEMO_PASSWORD,
        username=spec.username,
        display_name=spec.display_name,
        email=f"{spec.username}@{spec.email_domain}",
        role=spec.role,
        language=spec.language,
        client=clients[spec.client] if spec.client else None,
    )


def add_demo_files(client: Client, *, manager: User) -> None:
    """One file the client's users can see, and one internal note they cannot."""
    add_attachment(
        client,
        user=manager,
        upload=SimpleUploadedFile("kickoff-agenda.txt", KICKOFF_AGENDA.encode()),
        description="启动会议程 Kick-off agenda",
        client_visible=True,
    )
    add_attachment(
        client,
        user=manager,
        upload=SimpleUploadedFile("account-notes.csv", ACCOUNT_NOTES.encode()),
        description="客户内部备注 Internal account notes",
    )


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, username, display name) of each role's demo login that exists."""
    first_per_role: dict[Role, str] = {}
    for spec in USERS:
        first_per_role.setdefault(spec.role, spec.username)
    found = {
        user.username: user
        for user in User.objects.filter(username__in=first_per_role.values(), is_active=True)
    }
    return [
        (str(role.label), username, found[username].display_name)
        for role, username in first_per_role.items()
        if username in found
    ]
