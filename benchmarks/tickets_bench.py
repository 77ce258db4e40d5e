"""Admission-ticket PDF benchmark: our tickets beside a bare WeasyPrint render of as many pages.

    python -m benchmarks.tickets_bench ours 40
    python -m benchmarks.tickets_bench bare 40
    python -m benchmarks.tickets_bench ours 2000 --no-photos

Each call is a fresh process on a fresh SQLite database and a fresh photo folder (seeded here, not
timed). Prints one JSON line: seconds for the render, pages, PDF size and the growth of peak RSS
during the render (ru_maxrss: what the operating system had to give the process).
Every candidate has an ID photo (358x441 JPEG, about 25 KB, a distinct file each) unless
--no-photos. The bare render is the floor: one A4 page per candidate with the same font, the
name, a QR PNG of the same size and (with photos) the candidate's photo file, no tables.
"""

import base64
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
_db = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
os.environ["DATABASE_URL"] = f"sqlite:///{_db.name}"
_media = tempfile.mkdtemp(prefix="kwt-bench-media-")
os.environ["MEDIA_ROOT"] = _media

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.qr import qr_png  # noqa: E402
from exams import services, tickets  # noqa: E402
from exams.models import Room, Sitting  # noqa: E402
from registration.models import Registration  # noqa: E402
from rounds.models import ExamRound, Major, SchoolClass, SkillLevel  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def photos_seed(round) -> None:
    """A distinct stored photo file per candidate, as uploads leave them (not timed)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image, ImageFilter

    from registration.photos import photo_storage, photo_upload_to

    # Distinct bytes per candidate: WeasyPrint embeds identical images once, which would flatter
    # the PDF size and time.
    # Smooth like a photo (pure noise would be 90 KB a file; an ID photo is 20-40 KB).
    base = Image.effect_noise((358, 441), 60).convert("RGB").filter(ImageFilter.GaussianBlur(2))
    storage = photo_storage()
    registrations = list(Registration.objects.filter(round=round))
    for i, registration in enumerate(registrations):
        image = base.copy()
        # Two squares coloured by the candidate's index: no two photos share their bytes.
        image.paste((i % 256, 90, 160), (150, 180, 180, 260))
        image.paste((i // 256 % 256, 200, 40), (180, 180, 210, 260))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        jpeg = buffer.getvalue()
        registration.photo.name = storage.save(photo_upload_to(registration, ""), ContentFile(jpeg))
        registration.photo_status = "submitted"
    Registration.objects.bulk_update(registrations, ["photo", "photo_status"], batch_size=500)


def seed(count: int, *, photos: bool = True) -> ExamRound:
    call_command("migrate", verbosity=0)
    level, _ = SkillLevel.objects.get_or_create(
        code=3, defaults={"name": "三级/高级工", "short_name": "三级"}
    )
    round = ExamRound.objects.create(
        slug="bench-tickets",
        title="准考证基准批次",
        organizer="武汉交通职业学院",
        registration_deadline=dt.date(2022, 6, 1),
        exam_period="2022年6月",
        exam_location="校内实训室",
    )
    major = Major.objects.create(name="电子商务")
    school_class = SchoolClass.objects.create(name="电商2001班", major=major, enrolment_year=2020)
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            round=round,
            number=f"B{i:08d}",
            level=level,
            school_class=school_class,
            name=SURNAMES[i % 20] + GIVEN[i % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)],
            id_number=f"42010620020314{i % 10000:04d}",
            gender="M",
            birth_date=dt.date(2002, 3, 14),
            ethnicity="汉族",
            phone=f"138{i:08d}",
            review_status="confirmed",
            payment_status="paid",
            consent_at=now,
        )
        for i in range(count)
    )
    rooms = [
        Room.objects.create(round=round, building="实训楼", name=f"R{i:03d}", capacity=40)
        for i in range((count + 39) // 40)
    ]
    for subject, start in (("theory", dt.time(9)), ("skill", dt.time(14))):
        sitting = Sitting.objects.create(
            round=round,
            level=level,
            subject=subject,
            date=dt.date(2022, 6, 25),
            start_time=start,
            end_time=dt.time(start.hour + 1, 30),
        )
        sitting.rooms.set(rooms)
        services.seats_assign(sitting=sitting, method="random", seed=1)
    if photos:
        photos_seed(round)
    services.plan_publish(round=round)
    return round


def rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def ours(round) -> bytes:
    plan = round.exam_plan
    found = tickets.tickets_queryset().filter(registration__round=round).order_by("number")
    return tickets.tickets_pdf(plan=plan, tickets=found)


def bare(round) -> bytes:
    from weasyprint import HTML

    from registration.photos import photo_data_uri

    pages = []
    for registration in Registration.objects.filter(round=round).only("name", "photo"):
        png = base64.b64encode(qr_png("2022001300001:" + "x" * 43, box_size=6)).decode()
        photo = photo_data_uri(registration.photo)
        photo_img = f'<img class="p" src="{photo}">' if photo else ""
        pages.append(
            f"<section><h1>{registration.name}</h1>{photo_img}"
            f'<img src="data:image/png;base64,{png}"></section>'
        )
    html = (
        "<html><head><style>@page{size:A4} body{font-family:'WenQuanYi Zen Hei'}"
        " section{break-after:page} img{width:40mm;height:40mm}"
        " img.p{width:30mm;height:37mm}</style></head><body>" + "".join(pages) + "</body></html>"
    )
    return HTML(string=html).write_pdf()


def main() -> None:
    kind, count = sys.argv[1], int(sys.argv[2])
    photos = "--no-photos" not in sys.argv[3:]
    round = seed(count, photos=photos)
    before = rss_kb()
    started = time.perf_counter()
    pdf = (ours if kind == "ours" else bare)(round)
    seconds = time.perf_counter() - started
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        json.dumps(
            {
                "kind": kind,
                "tickets": count,
                "photos": photos,
                "pages": pages,
                "seconds": round_(seconds),
                "pdf_kb": len(pdf) // 1024,
                "peak_rss_growth_mb": (rss_kb() - before) // 1024,
                "load_average": os.getloadavg()[0],
            }
        )
    )
    os.unlink(_db.name)
    import shutil

    shutil.rmtree(_media, ignore_errors=True)


def round_(value: float) -> float:
    return float(f"{value:.2f}")


if __name__ == "__main__":
    main()
