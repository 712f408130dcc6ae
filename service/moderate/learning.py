"""What each site taught Hakam, as the moderator page's "Sites" view shows it: the site's adapter
(how many decisions taught it, what it gained over the shipped model on the site's own labels,
the hold threshold it set), what moderators did with held comments and audit items, day
by day, drawn as a small chart, and the queue's health (its oldest held comment, how long
decisions took over the last 7 days).

Pure functions over what the store returns; no HTML is built here (the template draws the
chart's bars from the geometry given), and nothing a reader wrote is ever part of it. Its
sentences are the moderator's language (gettext), as the rest of the page is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .. import queue_health
from ..vocabulary import ModeratorDecision

DAYS = 30  # days the chart covers
BAR_WIDTH = 9
BAR_GAP = 2
BAR_HEIGHT = 40
TAKEN_DOWN = (ModeratorDecision.REJECT, ModeratorDecision.SPAM)


@dataclass(frozen=True)
class Bar:
    """One day's decisions of one kind (held comments or audit items): how many, how many taken
    down (rejected or spam), and where its two parts are drawn."""

    day: str  # ISO date
    decided: int
    taken_down: int
    x: int

    @property
    def share_taken_down(self) -> float:
        return self.taken_down / self.decided if self.decided else 0.0

    @property
    def kept_height(self) -> float:
        return round(BAR_HEIGHT * (1 - self.share_taken_down), 2)

    @property
    def taken_down_height(self) -> float:
        return round(BAR_HEIGHT * self.share_taken_down, 2)


@dataclass(frozen=True)
class QueueHealth:
    """How the site's queue is kept: the oldest held comment's wait now, and how long held
    comments waited for their decision over the last 7 days (None: no decision then)."""

    oldest_seconds: float
    decisions: int
    p50_seconds: float | None
    p95_seconds: float | None

    @property
    def oldest(self) -> str:
        return duration(self.oldest_seconds) if self.oldest_seconds else "—"

    @property
    def p50(self) -> str:
        return duration(self.p50_seconds) if self.p50_seconds is not None else "—"

    @property
    def p95(self) -> str:
        return duration(self.p95_seconds) if self.p95_seconds is not None else "—"


def duration(seconds: float) -> str:
    """A wait as a moderator reads it, in their language: minutes, hours or days."""
    if seconds < 60:
        return _("under a minute")
    if seconds < 3600:
        return _("%(count)d min", count=round(seconds / 60))
    if seconds < 2 * 86400:
        return _("%(count)s h", count=f"{seconds / 3600:.1f}")
    return _("%(count)s days", count=f"{seconds / 86400:.1f}")


def queue_health_of(store, site_name: str, now: float) -> QueueHealth:
    waits = store.decision_waits(site_name, now=now)
    return QueueHealth(oldest_seconds=store.oldest_held_age(site_name, now=now),
                       decisions=sum(waits.values()),
                       p50_seconds=queue_health.percentile(waits, 0.5),
                       p95_seconds=queue_health.percentile(waits, 0.95))


@dataclass(frozen=True)
class SiteLearning:
    name: str
    adapting: bool  # the site's setting (--adapt / --no-adapt)
    active: bool  # an adapter scores the site's comments now
    model_version: str
    fitting: bool
    new_labels: int
    decisions: int | None = None  # labels the abuse head learned from
    shipped_auc: float | None = None
    adapted_auc: float | None = None
    threshold: float | None = None
    estimated_recall: float | None = None
    reason: str = ""
    fitted_at: str = ""
    held: list[Bar] = field(default_factory=list)
    audit: list[Bar] = field(default_factory=list)
    health: QueueHealth | None = None

    @property
    def gain(self) -> float | None:
        if self.shipped_auc is None or self.adapted_auc is None:
            return None
        return self.adapted_auc - self.shipped_auc


def _iso_day(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86400))


def bars(outcomes: dict[tuple[int, str, str], int], kind: str, today: int,
         days: int = DAYS) -> list[Bar]:
    """The last `days` days' bars of one kind ("held" or "audit"), oldest first; a day without
    decisions has none."""
    drawn = []
    for offset, day in enumerate(range(today - days + 1, today + 1)):
        decided = sum(count for (d, k, _decision), count in outcomes.items()
                      if d == day and k == kind)
        if not decided:
            continue
        taken_down = sum(outcomes.get((day, kind, decision), 0) for decision in TAKEN_DOWN)
        drawn.append(Bar(_iso_day(day), decided, taken_down, offset * (BAR_WIDTH + BAR_GAP)))
    return drawn


def refusal(report: dict) -> str:
    """Why the site's last fit left the shipped model in force, head by head, in the
    moderator's language (the fit's report words it in English, for `hakam sites adapt`)."""
    sentences = []
    for task, head in (report.get("heads") or {}).items():
        refused = head.get("refused") or {}
        why = refused.get("why")
        name = _("Abuse") if task == "abuse" else _("Spam")
        if why == "too_few_labels":
            figures = {"used": head["labels"]["used"], "positive": head["labels"]["positive"],
                       "needed": refused["needs"], "each": refused["each"]}
            sentences.append(_(
                "Abuse: %(used)d decisions, %(positive)d of them abusive; learning needs "
                "%(needed)d, at least %(each)d abusive and %(each)d not.", **figures)
                if task == "abuse" else _(
                "Spam: %(used)d decisions, %(positive)d of them spam; learning needs "
                "%(needed)d, at least %(each)d spam and %(each)d not.", **figures))
        elif why == "no_significant_gain":
            auc = head["roc_auc"]
            sentences.append(_(
                "%(head)s: on the site's own decisions the adapter ranks no better than the "
                "shipped model (ROC-AUC %(adapted).3f against %(base).3f), so the shipped model "
                "stays.", head=name, adapted=auc["adapted"], base=auc["base"]))
        elif why == "worse_on_newest":
            holdout = head["holdout_roc_auc"]
            sentences.append(_(
                "%(head)s: on the newest %(count)d decisions the adapter ranks worse than the "
                "shipped model (ROC-AUC %(adapted).3f against %(base).3f): the site's line "
                "moved.", head=name, count=holdout["labels"], adapted=holdout["adapted"],
                base=holdout["base"]))
        else:  # a report from before `refused`: its reason as it was written
            return report.get("reason", "")
    return " ".join(sentences)


def site_learning(store, site, base_version: str, now: float | None = None) -> SiteLearning:
    """One site's view (`site` is the store's Site)."""
    now = time.time() if now is None else now
    today = int(now // 86400)
    state = store.adapt_state(site.name, base_version)
    report = store.adapter_report(site.name, base_version) or {}
    outcomes = store.outcomes(site.name)
    abuse = (report.get("heads") or {}).get("abuse") or {}
    auc = abuse.get("roc_auc") or {}
    hold = report.get("abuse_hold") or {}
    # the report says what the stored adapter is (both are written and dropped together):
    # no need to fetch the adapter itself
    active = bool(report.get("active")) and site.policy.adapt
    reason = refusal(report) if report and not report.get("active") else ""
    return SiteLearning(
        name=site.name, adapting=site.policy.adapt, active=active,
        model_version=report.get("model_version", base_version) if active else base_version,
        fitting=state.fitting, new_labels=state.new_labels,
        decisions=(abuse.get("labels") or {}).get("used") if report else None,
        shipped_auc=auc.get("base"), adapted_auc=auc.get("adapted"),
        threshold=hold.get("threshold") if active else None,
        estimated_recall=hold.get("estimated_recall") if active else None,
        reason=reason,
        fitted_at=time.strftime("%Y-%m-%d %H:%M", time.gmtime(report["fitted_at"]))
        if report.get("fitted_at") else "",
        held=bars(outcomes, "held", today), audit=bars(outcomes, "audit", today),
        health=queue_health_of(store, site.name, now))


def chart_width(days: int = DAYS) -> int:
    return days * (BAR_WIDTH + BAR_GAP)
