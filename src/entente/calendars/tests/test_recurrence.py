"""Recurrence edge cases: changes of time in Paris, all-day events, EXDATE, overridden
instances, « this one / this and the following / all », COUNT and UNTIL, invalid rules, the
rolling horizon and time zones of the whole territory (overseas included)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from entente.calendars import recurrence, services
from entente.calendars.models import Event, EventStatus, Occurrence
from entente.calendars.recurrence import (
    MAX_INSTANCES,
    ensure_expanded,
    horizon,
    instances,
    normalise_rrule,
    series_end,
    zone,
)
from entente.calendars.services import EventData, Scope
from entente.calendars.tests.factories import (
    PARIS,
    YEAR,
    last_sunday,
    local_starts,
    make_event,
    paris,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
SPRING = last_sunday(YEAR, 3)  # 02:00 → 03:00
AUTUMN = last_sunday(YEAR, 10)  # 03:00 → 02:00


def wall(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001 (wall clock)


def at(day: dt.date, hour: int, minute: int = 0, tz: ZoneInfo = PARIS) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def weekly(agent, first: dt.date, count: int = 4, hour: int = 10, **fields) -> Event:
    return make_event(agent, at(first, hour), rrule=f"FREQ=WEEKLY;COUNT={count}", **fields)


def instance_change(master: Event, start: dt.datetime, minutes: int = 60, **fields) -> EventData:
    """What a person sends when changing one instance: the series' data, new times."""
    data = EventData.from_event(master)
    data.start, data.end = start, start + dt.timedelta(minutes=minutes)
    for name, value in fields.items():
        setattr(data, name, value)
    return data


def occurrence_utc_hours(event: Event) -> list[int]:
    return [o.start.astimezone(UTC).hour for o in Occurrence.objects.filter(event=event)]


# --- changes of time ---------------------------------------------------------------------------


def test_a_weekly_meeting_stays_at_ten_in_paris_across_the_spring_change(agent):
    first = SPRING - dt.timedelta(days=13)  # a Monday two weeks before
    event = weekly(agent, first)

    assert local_starts(event) == [wall(first + dt.timedelta(weeks=n), 10) for n in range(4)]
    # 09:00 UTC in winter, 08:00 UTC in summer
    assert occurrence_utc_hours(event) == [9, 9, 8, 8]
    assert all(o.end - o.start == HOUR for o in Occurrence.objects.filter(event=event))


def test_a_weekly_meeting_stays_at_ten_in_paris_across_the_autumn_change(agent):
    first = AUTUMN - dt.timedelta(days=13)
    event = weekly(agent, first)

    assert local_starts(event) == [wall(first + dt.timedelta(weeks=n), 10) for n in range(4)]
    assert occurrence_utc_hours(event) == [8, 8, 9, 9]


def test_a_daily_all_day_event_covers_whole_local_days_across_the_changes_of_time(agent):
    for change in (SPRING, AUTUMN):
        first = change - dt.timedelta(days=1)
        event = make_event(
            agent,
            at(first, 0),
            title=f"Astreinte {change}",
            all_day=True,
            rrule="FREQ=DAILY;COUNT=3",
        )
        rows = list(Occurrence.objects.filter(event=event))

        assert [r.start.astimezone(PARIS) for r in rows] == [
            at(first + dt.timedelta(days=n), 0) for n in range(3)
        ]
        assert [r.end.astimezone(PARIS) for r in rows] == [
            at(first + dt.timedelta(days=n + 1), 0) for n in range(3)
        ]
        assert all(r.all_day for r in rows)
        # the day of the change is 23 hours long in spring, 25 in autumn
        expected = dt.timedelta(hours=23 if change == SPRING else 25)
        assert rows[1].end - rows[1].start == expected


def test_a_meeting_set_in_the_missing_hour_of_spring_is_still_stored(agent):
    event = make_event(agent, at(SPRING - dt.timedelta(days=1), 2, 30), rrule="FREQ=DAILY;COUNT=3")

    assert len(local_starts(event)) == 3


# --- EXDATE, overrides, scopes -----------------------------------------------------------------


def test_an_exdate_removes_that_instance_only(agent):
    first = dt.date(YEAR, 4, 5)
    second = at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)
    event = weekly(agent, first, exdates=[second.isoformat()])

    assert local_starts(event) == [
        wall(first, 10),
        wall(first + dt.timedelta(weeks=2), 10),
        wall(first + dt.timedelta(weeks=3), 10),
    ]


def test_changing_this_instance_moves_just_that_one(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first)
    second = at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)

    override = services.update_event(
        agent,
        master,
        instance_change(master, at(first + dt.timedelta(weeks=1), 14), title="Exceptionnel"),
        Scope.THIS,
        second,
    )

    assert override.master_id == master.pk and override.recurrence_id == second
    assert override.rrule == "" and override.uid == master.uid
    assert local_starts(master) == [
        wall(first, 10),
        wall(first + dt.timedelta(weeks=1), 14),
        wall(first + dt.timedelta(weeks=2), 10),
        wall(first + dt.timedelta(weeks=3), 10),
    ]
    row = Occurrence.objects.get(event=override)
    assert row.recurrence_id == second
    master.refresh_from_db()
    assert master.title == "Réunion"
    # changing it again changes the same override
    again = services.update_event(
        agent, override, instance_change(master, at(first + dt.timedelta(weeks=1), 15)), Scope.THIS
    )
    assert again.pk == override.pk
    assert Event.objects.filter(master=master).count() == 1


def test_an_instance_that_is_not_in_the_series_cannot_be_changed(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first)
    wrong = at(first + dt.timedelta(days=1), 10)

    with pytest.raises(ValidationError) as caught:
        services.update_event(agent, master, instance_change(master, wrong), Scope.THIS, wrong)
    assert caught.value.code == "no_occurrence"


def test_this_and_following_splits_a_counted_series(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first, count=6)
    fourth = at(first + dt.timedelta(weeks=3), 10).astimezone(UTC)

    new = services.update_event(
        agent,
        master,
        instance_change(master, at(first + dt.timedelta(weeks=3), 11), title="Nouvelle formule"),
        Scope.FOLLOWING,
        fourth,
    )

    master.refresh_from_db()
    assert "COUNT" not in master.rrule
    assert f"UNTIL={(fourth - dt.timedelta(seconds=1)).strftime('%Y%m%dT%H%M%SZ')}" in master.rrule
    assert local_starts(master) == [wall(first + dt.timedelta(weeks=n), 10) for n in range(3)]
    assert new.pk != master.pk and new.uid != master.uid
    assert "COUNT=3" in new.rrule
    assert local_starts(new) == [wall(first + dt.timedelta(weeks=n), 11) for n in range(3, 6)]
    assert new.title == "Nouvelle formule" and master.title == "Réunion"


def test_splitting_a_counted_series_counts_removed_instances_as_rfc5545_does(agent):
    first = dt.date(YEAR, 4, 5)
    removed = [at(first + dt.timedelta(weeks=n), 10).astimezone(UTC) for n in (1, 4)]
    master = weekly(agent, first, count=6, exdates=[x.isoformat() for x in removed])
    fourth = at(first + dt.timedelta(weeks=3), 10).astimezone(UTC)
    data = instance_change(master, fourth)
    data.exdates = []  # a client that does not send the exceptions back

    new = services.update_event(agent, master, data, Scope.FOLLOWING, fourth)

    # six instances in all, the second and the fifth removed: 1, 3 | 4, 6
    assert local_starts(master) == [wall(first, 10), wall(first + dt.timedelta(weeks=2), 10)]
    assert "COUNT=3" in new.rrule
    assert local_starts(new) == [
        wall(first + dt.timedelta(weeks=3), 10),
        wall(first + dt.timedelta(weeks=5), 10),
    ]


def test_this_and_following_keeps_the_until_of_the_series(agent):
    first = dt.date(YEAR, 4, 5)
    master = make_event(
        agent, at(first, 10), rrule=f"FREQ=WEEKLY;UNTIL={(first + dt.timedelta(weeks=5)):%Y%m%d}"
    )
    third = at(first + dt.timedelta(weeks=2), 10).astimezone(UTC)

    new = services.update_event(
        agent,
        master,
        instance_change(master, at(first + dt.timedelta(weeks=2), 9)),
        Scope.FOLLOWING,
        third,
    )

    assert len(local_starts(master)) == 2
    assert local_starts(new) == [wall(first + dt.timedelta(weeks=n), 9) for n in range(2, 6)]


def test_all_from_an_instance_shifts_the_whole_series_in_wall_clock_time(agent):
    first = SPRING - dt.timedelta(days=13)
    master = weekly(agent, first)
    third = at(first + dt.timedelta(weeks=2), 10).astimezone(UTC)  # in summer time
    override = services.update_event(
        agent, master, instance_change(master, third, title="Ordre du jour"), Scope.THIS, third
    )

    # from that summer instance, 10:00 → 11:30 for all
    moved = services.update_event(
        agent,
        override,
        instance_change(master, at(first + dt.timedelta(weeks=2), 11, 30)),
        Scope.ALL,
    )

    assert moved.pk == master.pk
    assert local_starts(master) == [wall(first + dt.timedelta(weeks=n), 11, 30) for n in range(4)]
    # the instance changed on its own is still changed, and moved with its series
    override.refresh_from_db()
    assert override.title == "Ordre du jour"
    assert override.recurrence_id.astimezone(PARIS) == at(first + dt.timedelta(weeks=2), 11, 30)


def test_moving_the_series_keeps_removed_instances_removed(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first)
    services.delete_event(
        agent, master, Scope.THIS, at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)
    )
    master.refresh_from_db()

    data = EventData.from_event(master)
    data.start, data.end = at(first, 15), at(first, 16)
    services.update_event(agent, master, data, Scope.ALL)

    assert local_starts(master) == [
        wall(first, 15),
        wall(first + dt.timedelta(weeks=2), 15),
        wall(first + dt.timedelta(weeks=3), 15),
    ]


def test_a_new_rule_drops_the_exceptions_of_the_old_one(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first)
    second = at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)
    services.update_event(
        agent, master, instance_change(master, second, title="x"), Scope.THIS, second
    )
    master.refresh_from_db()

    data = EventData.from_event(master)
    data.rrule = "FREQ=DAILY;COUNT=3"
    services.update_event(agent, master, data, Scope.ALL)

    assert not Event.objects.filter(master=master).exists()
    assert local_starts(master) == [wall(first + dt.timedelta(days=n), 10) for n in range(3)]


def test_ending_a_series_earlier_drops_the_overrides_past_its_new_end(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first, count=4)
    second, fourth = (at(first + dt.timedelta(weeks=n), 10).astimezone(UTC) for n in (1, 3))
    for rid in (second, fourth):
        services.update_event(
            agent, master, instance_change(master, rid, title="x"), Scope.THIS, rid
        )
    master.refresh_from_db()

    data = EventData.from_event(master)
    data.rrule = "FREQ=WEEKLY;COUNT=2"
    services.update_event(agent, master, data, Scope.ALL)

    assert list(Event.objects.filter(master=master).values_list("recurrence_id", flat=True)) == [
        second
    ]
    assert len(local_starts(master)) == 2


def test_removing_the_rule_leaves_no_stray_instance(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first)
    second = at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)
    services.update_event(
        agent, master, instance_change(master, second, title="x"), Scope.THIS, second
    )
    master.refresh_from_db()

    data = EventData.from_event(master)
    data.rrule = ""
    services.update_event(agent, master, data, Scope.ALL)

    assert local_starts(master) == [wall(first, 10)]


def test_deleting_one_instance_then_the_following_then_all(agent, other_agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first, count=6, users=[other_agent])
    second = at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)
    fifth = at(first + dt.timedelta(weeks=4), 10).astimezone(UTC)

    services.delete_event(agent, master, Scope.THIS, second)
    master.refresh_from_db()
    assert second.isoformat() in master.exdates
    assert len(local_starts(master)) == 5

    services.delete_event(agent, master, Scope.FOLLOWING, fifth)
    master.refresh_from_db()
    assert local_starts(master) == [wall(first + dt.timedelta(weeks=n), 10) for n in (0, 2, 3)]

    services.delete_event(agent, master, Scope.ALL)
    master.refresh_from_db()
    assert master.status == EventStatus.CANCELLED  # a tombstone: the attendee is told
    assert local_starts(master) == []


def test_deleting_an_overridden_instance_cancels_the_override(agent):
    first = dt.date(YEAR, 4, 5)
    master = weekly(agent, first)
    second = at(first + dt.timedelta(weeks=1), 10).astimezone(UTC)
    override = services.update_event(
        agent,
        master,
        instance_change(master, at(first + dt.timedelta(weeks=1), 16)),
        Scope.THIS,
        second,
    )

    services.delete_event(agent, override, Scope.THIS)

    override.refresh_from_db()
    assert override.status == EventStatus.CANCELLED
    assert len(local_starts(master)) == 3
    with pytest.raises(ValidationError) as caught:
        services.update_event(agent, override, instance_change(master, second), Scope.THIS)
    assert caught.value.code == "no_occurrence"


def test_deleting_a_series_nobody_else_attends_removes_it(agent):
    master = weekly(agent, dt.date(YEAR, 4, 5))

    services.delete_event(agent, master, Scope.ALL)

    assert not Event.objects.filter(pk=master.pk).exists()


# --- COUNT and UNTIL -----------------------------------------------------------------------------


def test_count_gives_that_many_instances(agent):
    event = make_event(agent, paris(YEAR, 5, 3, 9), rrule="FREQ=DAILY;COUNT=5")

    assert len(local_starts(event)) == 5
    assert series_end(event) == paris(YEAR, 5, 7, 9)


@pytest.mark.parametrize(
    ("until", "last_day"),
    [
        ("{day:%Y%m%d}", 0),  # a date: that whole day in the event's zone
        ("{day:%Y%m%d}T100000", 0),  # a local time: the 10:00 instance of that day is in
        ("{day:%Y%m%d}T095959", -1),  # a second before it: that day is out
        ("{day:%Y%m%d}T080000Z", 0),  # UTC: 08:00Z is 10:00 in Paris in May
        ("{day:%Y%m%d}T075959Z", -1),
    ],
)
def test_until_as_a_date_a_local_time_or_utc(agent, until, last_day):
    day = dt.date(YEAR, 5, 7)
    event = make_event(
        agent, paris(YEAR, 5, 3, 10), rrule="FREQ=DAILY;UNTIL=" + until.format(day=day)
    )

    assert local_starts(event)[-1] == wall(day + dt.timedelta(days=last_day), 10)
    assert event.rrule.split("UNTIL=")[1].endswith("Z")


def test_until_of_an_all_day_event_includes_that_day(agent):
    event = make_event(agent, paris(YEAR, 5, 3), all_day=True, rrule=f"FREQ=DAILY;UNTIL={YEAR}0505")

    assert local_starts(event) == [wall(dt.date(YEAR, 5, d), 0) for d in (3, 4, 5)]


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=MINUTELY", "rrule_too_frequent"),
        ("FREQ=HOURLY;COUNT=3", "rrule_too_frequent"),
        ("n'importe quoi", "invalid_rrule"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20300101", "invalid_rrule"),
        ("FREQ=DAILY;COUNT=trois", "invalid_rrule"),
        ("FREQ=DAILY;COUNT=0", "invalid_rrule"),
        ("FREQ=DAILY;INTERVAL=0", "invalid_rrule"),
        ("FREQ=DAILY;INTERVAL=-2", "invalid_rrule"),
        ("FREQ=DAILY;UNTIL=2030-01-01", "invalid_rrule"),
        ("FREQ=DAILY;X-NAME=1", "invalid_rrule"),
        ("BYDAY=MO", "invalid_rrule"),
        ("FREQ=DAILY;" + "BYHOUR=1;" * 60, "invalid_rrule"),
    ],
)
def test_rules_entente_cannot_honour_are_refused_with_a_code(rule, code):
    with pytest.raises(ValidationError) as caught:
        normalise_rrule(rule, "Europe/Paris", False)

    assert caught.value.code == code
    assert caught.value.messages[0]  # a French sentence, not a stack trace


def test_an_invalid_rule_is_refused_by_the_use_case_on_its_field(agent):
    from entente.calendars.tests.factories import event_data

    calendar = services.default_calendar(agent)
    with pytest.raises(ValidationError) as caught:
        services.create_event(agent, calendar, event_data(rrule="FREQ=MINUTELY"))

    assert [e.code for e in caught.value.error_dict["rrule"]] == ["rrule_too_frequent"]
    assert not Event.objects.exists()


def test_a_valid_rule_is_normalised():
    assert normalise_rrule(" freq=weekly;byday=mo,we ", "Europe/Paris", False) == (
        "FREQ=WEEKLY;BYDAY=MO,WE"
    )
    assert normalise_rrule("RRULE:FREQ=DAILY;UNTIL=20300110T100000", "Europe/Paris", False) == (
        "FREQ=DAILY;UNTIL=20300110T090000Z"
    )
    assert normalise_rrule("", "Europe/Paris", False) == ""


# --- horizon and limits ---------------------------------------------------------------------------


def test_an_open_ended_series_is_expanded_to_the_horizon_then_further_on_demand(agent, settings):
    settings.CALENDAR_HORIZON_DAYS = 30
    start = timezone.now().astimezone(PARIS).replace(hour=10, minute=0, second=0, microsecond=0)
    event = make_event(agent, start + dt.timedelta(days=1), rrule="FREQ=DAILY")
    event.refresh_from_db()
    first_horizon = event.expanded_until

    rows = Occurrence.objects.filter(event=event)
    assert first_horizon == pytest.approx(horizon(), abs=dt.timedelta(minutes=1))
    assert 29 <= rows.count() <= 31
    assert max(r.start for r in rows) < first_horizon

    far = timezone.now() + dt.timedelta(days=90)
    ensure_expanded(far)

    event.refresh_from_db()
    assert event.expanded_until >= far
    assert 89 <= Occurrence.objects.filter(event=event).count() <= 91
    # looking within what is expanded does nothing more
    ensure_expanded(timezone.now() + dt.timedelta(days=10))
    event.refresh_from_db()
    assert event.expanded_until >= far


def test_agenda_reads_past_the_horizon_expand_the_series(agent, settings):
    settings.CALENDAR_HORIZON_DAYS = 30
    event = make_event(agent, timezone.now() + dt.timedelta(days=1), rrule="FREQ=WEEKLY")
    calendar = services.default_calendar(agent)
    begin = timezone.now() + dt.timedelta(days=100)

    rows = services.agenda_occurrences(agent, [calendar], begin, begin + dt.timedelta(days=21))

    assert len(rows) == 3 and {r.event_id for r in rows} == {event.pk}


def test_a_series_never_has_more_than_max_instances():
    event = Event(
        start=dt.datetime(2030, 1, 1, 9, tzinfo=UTC),
        end=dt.datetime(2030, 1, 1, 10, tzinfo=UTC),
        tzid="Europe/Paris",
        rrule="FREQ=DAILY;COUNT=5000",
    )

    assert sum(1 for _ in instances(event, dt.datetime.max.replace(tzinfo=UTC))) == MAX_INSTANCES


def test_the_table_is_capped_too(agent, monkeypatch):
    monkeypatch.setattr(recurrence, "MAX_INSTANCES", 7)

    event = make_event(agent, paris(YEAR, 2, 1, 10), rrule="FREQ=DAILY;COUNT=50")

    assert Occurrence.objects.filter(event=event).count() == 7


# --- time zones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tzid", "utc_hour"),
    [("America/Cayenne", 13), ("Pacific/Noumea", 23), ("Indian/Reunion", 6), ("Europe/Paris", 9)],
)
def test_any_iana_zone_of_the_territory_keeps_its_wall_clock(agent, tzid, utc_hour):
    tz = ZoneInfo(tzid)
    first = dt.date(YEAR, 3, 15)  # a Monday; the series crosses the change of time in Paris
    event = make_event(agent, at(first, 10, tz=tz), tzid=tzid, rrule="FREQ=WEEKLY;COUNT=4")

    assert local_starts(event) == [wall(first + dt.timedelta(weeks=n), 10) for n in range(4)]
    assert Occurrence.objects.filter(event=event).first().start.astimezone(UTC).hour == (
        utc_hour % 24
    )


@pytest.mark.parametrize("tzid", ["Europe/Parisss", "", "paris", "../../etc/passwd", "UTC+2"])
def test_an_unknown_zone_is_refused(agent, tzid):
    with pytest.raises(ValidationError) as caught:
        zone(tzid)
    assert caught.value.code == "invalid_timezone"

    from entente.calendars.tests.factories import event_data

    with pytest.raises(ValidationError) as caught:
        services.create_event(agent, services.default_calendar(agent), event_data(tzid=tzid))
    assert [e.code for e in caught.value.error_dict["tzid"]] == ["invalid_timezone"]


def test_a_naive_time_is_read_in_the_event_zone(agent):
    from entente.calendars.tests.factories import event_data

    data = event_data(dt.datetime(YEAR, 6, 1, 10), tzid="Pacific/Noumea")  # noqa: DTZ001
    event = services.create_event(agent, services.default_calendar(agent), data)

    assert event.start == dt.datetime(YEAR, 5, 31, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYWEEKNO=1;BYMONTH=6;BYDAY=MO"],
)
def test_a_rule_that_never_happens_is_refused(rule):
    from django.core.exceptions import ValidationError

    from entente.calendars.recurrence import normalise_rrule

    with pytest.raises(ValidationError) as error:
        normalise_rrule(rule, "Europe/Paris", False)
    assert error.value.code == "rrule_never"


@pytest.mark.parametrize(
    "rule", ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=DAILY"]
)
def test_rules_that_happen_rarely_or_often_are_kept(rule):
    from entente.calendars.recurrence import normalise_rrule

    assert normalise_rrule(rule, "Europe/Paris", False) == rule
