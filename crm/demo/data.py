"""The demo data set's content: people by role title, companies, threads and engagement themes.

Consistent with the seeds (the PMO letter of 04-10-2021 and the NSMCWG press release): the
National Security Advisor chairs the group and leads the Google liaison-office negotiations
(direction 7); MoIT is the lead ministry; the PM's Focal Person on Digital Media is the
spokesperson. People appear by role title only; every figure is marked as a demo figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.accounts.models import Clearance, Role
from crm.companies.models import (
    AccessStatus,
    Health,
    LocalPresence,
    OfficerStatus,
    Priority,
    PtaRegistration,
    TaxStatus,
)
from crm.threads.models import Stage

DEMO_MARK = "Demo figure (invented for the demonstration; not an official estimate)"
CHAIR = "demo.chair"
SECRETARIAT = "demo.secretariat"
FOCAL_PERSON = "demo.focal"
SPOKESPERSON = "demo.spokesperson"
FOCAL_APPROVAL = "PM Office approval No. DEMO-1"
SPOKESPERSON_APPROVAL = "PM Office approval No. DEMO-2"
SENTINEL_COMPANY = "Alphabet"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    organisation: str
    clearance: Clearance = Clearance.CONFIDENTIAL


USERS = (
    DemoUser(CHAIR, "National Security Advisor (demo)", Role.CHAIR, "NSD", Clearance.SECRET),
    DemoUser(SECRETARIAT, "NSMCWG Secretariat officer (demo)", Role.SECRETARIAT, "NSD", Clearance.SECRET),
    DemoUser(FOCAL_PERSON, "Focal person for social media companies, MoIT (demo)", Role.MEMBER, "MoIT",
             Clearance.SECRET),
    DemoUser("demo.moit", "Joint Secretary, MoIT (demo)", Role.MEMBER, "MoIT"),
    DemoUser("demo.moib", "Joint Secretary, MoIB (demo)", Role.MEMBER, "MoIB"),
    DemoUser("demo.molj", "Section Officer, Law Division (demo)", Role.MEMBER, "MoLJ", Clearance.RESTRICTED),
    DemoUser("demo.mofa", "Director General, MoFA (demo)", Role.MEMBER, "MoFA"),
    DemoUser("demo.pta", "Director, PTA (demo)", Role.MEMBER, "PTA"),
    DemoUser(SPOKESPERSON, "PM's Focal Person on Digital Media (demo)", Role.MEMBER, "FPDM"),
    DemoUser("demo.observer", "Additional Secretary, PMO (demo)", Role.OBSERVER, "PMO", Clearance.RESTRICTED),
)  # fmt: skip
# Members who record the contacts a company makes with them (R4): the focal person answers.
INBOUND_LOGGERS = ("demo.moit", "demo.moib", "demo.molj", "demo.mofa", "demo.pta", SPOKESPERSON)


@dataclass(frozen=True)
class DemoService:
    name: str
    users: int
    # (days ago, status, reason): the access history after the service's first period.
    changes: tuple[tuple[int, AccessStatus, str], ...] = ()


@dataclass(frozen=True)
class DemoCompany:
    name: str
    legal_name: str
    hq: str
    website: str
    priority: Priority
    health: Health
    health_reason: str
    presence: LocalPresence
    presence_city: str
    pta: PtaRegistration
    officer: OfficerStatus
    tax: TaxStatus
    services: tuple[DemoService, ...]
    contacts: tuple[tuple[str, str], ...]  # (name, title)
    parent: str = ""


COMPANIES = (
    DemoCompany(
        "Alphabet", "Google LLC", "United States", "https://about.google", Priority.HIGH, Health.AMBER,
        "Liaison-office talks under way (PM's direction 7); timelines not yet agreed.",
        LocalPresence.REPRESENTATIVE, "Islamabad", PtaRegistration.APPLIED, OfficerStatus.NOT_NAMED,
        TaxStatus.REGISTERED, (DemoService("YouTube", 71_000_000), DemoService("Google Search", 90_000_000)),
        (("Head of Government Affairs, South Asia (demo)", "Government Affairs"),
         ("Public Policy Manager, Pakistan (demo)", "Public Policy"),
         ("Trust & Safety Lead, APAC (demo)", "Trust & Safety")),
    ),
    DemoCompany(
        "Meta", "Meta Platforms, Inc.", "United States", "https://about.meta.com", Priority.HIGH, Health.AMBER,
        "Responsive on content escalations; no local compliance officer yet.",
        LocalPresence.NONE, "", PtaRegistration.NOT_REGISTERED, OfficerStatus.NOT_NAMED, TaxStatus.NOT_REGISTERED,
        (DemoService("Facebook", 46_000_000), DemoService("Instagram", 13_000_000),
         DemoService("WhatsApp", 52_000_000)),
        (("Public Policy Director, South & Central Asia (demo)", "Public Policy"),
         ("Law Enforcement Outreach Manager (demo)", "Law Enforcement Outreach")),
    ),
    DemoCompany(
        "ByteDance", "TikTok Pte. Ltd.", "Singapore", "https://www.tiktok.com", Priority.HIGH, Health.RED,
        "Repeated PTA blocking orders over objectionable content.",
        LocalPresence.REPRESENTATIVE, "Karachi", PtaRegistration.APPLIED, OfficerStatus.NAMED,
        TaxStatus.NOT_REGISTERED,
        (DemoService("TikTok", 18_000_000, (
            (290, AccessStatus.BLOCKED, "PTA blocking order (demo ref. PTA/DEMO/1)"),
            (270, AccessStatus.AVAILABLE, "Block lifted after assurances on moderation (demo)"),
            (120, AccessStatus.BLOCKED, "PTA blocking order (demo ref. PTA/DEMO/2)"),
            (95, AccessStatus.AVAILABLE, "Block lifted by PTA (demo)"),
        )),),
        (("Director of Public Policy, Pakistan (demo)", "Public Policy"),
         ("Local compliance officer (demo)", "Compliance")),
        parent="ByteDance Ltd.",
    ),
    DemoCompany(
        "X Corp", "X Corp.", "United States", "https://x.com", Priority.MEDIUM, Health.AMBER,
        "Slow answers to takedown requests.",
        LocalPresence.NONE, "", PtaRegistration.NOT_REGISTERED, OfficerStatus.NOT_NAMED, TaxStatus.NOT_REGISTERED,
        (DemoService("X", 3_400_000, ((60, AccessStatus.THROTTLED, "Throttled during unrest (demo)"),
                                      (55, AccessStatus.AVAILABLE, "Throttling ended (demo)"))),),
        (("Head of Public Policy, South Asia (demo)", "Public Policy"),),
    ),
    DemoCompany(
        "Telegram", "Telegram Messenger Inc.", "United Arab Emirates", "https://telegram.org", Priority.MEDIUM,
        Health.RED, "No reliable channel for escalations.",
        LocalPresence.NONE, "", PtaRegistration.NOT_REGISTERED, OfficerStatus.NOT_NAMED, TaxStatus.NOT_REGISTERED,
        (DemoService("Telegram", 2_500_000),),
        (("Press and government relations (demo)", "Government Relations"),),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoThread:
    title: str
    companies: tuple[str, ...]
    stages: tuple[Stage, ...]  # the first is the creation stage, the last is where it is now
    priority: Priority
    lead: str
    objective: str
    our_ask: str
    their_position: str
    next_step: str
    subjects: tuple[str, ...] = field(default=())


GOOGLE_THREAD = "Google liaison office in Pakistan"
THREADS = (
    DemoThread(
        GOOGLE_THREAD, ("Alphabet",), (Stage.IDENTIFIED, Stage.OUTREACH, Stage.NEGOTIATING), Priority.HIGH, "NSD",
        "Google opens a liaison office in Pakistan (PM's direction 7: NSA lead, with NSMCWG members).",
        "A liaison office in Islamabad with a named, resident compliance officer within the year.",
        "Open to a presence; wants clarity on the social media rules and on taxation first.",
        "Share the draft terms of the liaison office with MoLJ for vetting.",
        ("Liaison office: draft terms", "Liaison office: staffing and location", "Liaison office: legal vetting",
         "Liaison office: taxation questions"),
    ),
    DemoThread(
        "Meta local compliance officer", ("Meta",), (Stage.OUTREACH, Stage.NEGOTIATING), Priority.HIGH, "MoIT",
        "Meta names a resident compliance officer for Pakistan.", "A named officer resident in Pakistan.",
        "Prefers a regional officer in Singapore.", "Follow up on the regional-officer proposal.",
        ("Compliance officer: residency", "Escalation channel for unlawful content"),
    ),
    DemoThread(
        "TikTok content moderation assurances", ("ByteDance",), (Stage.NEGOTIATING, Stage.AGREEMENT_IN_PRINCIPLE),
        Priority.HIGH, "PTA", "Written assurances on moderation of content unlawful in Pakistan.",
        "Urdu-language moderators and a PTA escalation desk.", "Agreed in principle; numbers not yet given.",
        "Obtain the moderation figures for the quarter.",
        ("Moderation assurances", "Quarterly moderation figures"),
    ),
    DemoThread(
        "PTA registration of social media companies", ("Alphabet", "Meta", "ByteDance"),
        (Stage.IDENTIFIED, Stage.OUTREACH), Priority.MEDIUM, "PTA",
        "The large platforms register with PTA under the social media rules.", "Registration within six months.",
        "Asking for changes to the rules first.", "Circulate the registration checklist.",
        ("PTA registration checklist", "Comments on the social media rules"),
    ),
    DemoThread(
        "Taxation of digital services", ("Alphabet", "Meta"), (Stage.IDENTIFIED,), Priority.MEDIUM, "MoIT",
        "Input from SBP and FBR on taxation of social media companies (press release).",
        "Tax registration and a local payments entity.", "Not yet stated.", "Meeting with SBP and FBR.",
        ("Tax registration", "Local payments entity"),
    ),
    DemoThread(
        "X escalation channel", ("X Corp",), (Stage.OUTREACH, Stage.STALLED), Priority.LOW, "MoIT",
        "A working escalation channel for takedown requests.", "Answers within 48 hours.",
        "No commitment.", "Write again at a senior level.", ("Escalation channel",),
    ),
)  # fmt: skip
GENERAL_SUBJECTS = (
    "Courtesy call",
    "Content takedown requests",
    "Transparency report briefing",
    "Child safety online",
    "Misinformation during elections",
    "Data requests from law enforcement",
    "Digital skills programme",
    "Policy consultation on the social media rules",
)
LOCATIONS = ("Islamabad", "Video link", "Ministry of IT, Islamabad", "Karachi", "Singapore (virtual)")
OUTCOMES = (
    "Agreed to share a written position within two weeks.",
    "Asked for the government's request in writing.",
    "Raised concerns about the timeline; a further meeting was proposed.",
    "Confirmed the points agreed at the previous meeting.",
    "Will revert after consulting their regional team.",
)
MINUTE_POINTS = (
    "The focal person restated the government's position as agreed in the NSMCWG.",
    "The company described its current process and timelines.",
    "Both sides agreed to exchange contact points for escalations.",
    "The company asked for the request in writing through the focal person.",
    "PTA's pending requests were reviewed one by one.",
    "Next steps and owners were noted for the NSMCWG's progress report to the PMO.",
)
