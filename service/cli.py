"""The `hakam` command: serve, manage sites and moderators, export labels.

Output meant for scripts (a key, a token, JSONL) goes to standard output alone; everything said
to a person goes to standard error. The model commands (score, train, evaluate, model promote)
come from hakam.training.cli.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from collections.abc import Iterator

import click

from hakam.model import ATTRIBUTES
from hakam.model.normalize import trusted_key

from .config import Config, ConfigError
from .discussion import MAX_CLOSE_AFTER_DAYS
from .errors import StoreUnavailable
from .store import Store
from .vocabulary import AuthorAction


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextlib.contextmanager
def open_store() -> Iterator[Store]:
    """The store the service uses: REDIS_URL, else the embedded Redis in HAKAM_DATA_DIR
    (reusing the one a running `hakam serve` started, or starting it for this command)."""
    config = _config()
    if config.redis_url:
        yield Store.from_url(config.redis_url)
        return
    from .embedded import embedded_redis_for_cli

    with embedded_redis_for_cli(config.data_dir) as url:
        store = Store.from_url(url)
        try:
            yield store
        finally:
            store.r.close()  # so the embedded server sees this command gone and can stop


def default_workers() -> int:
    """gunicorn's rule of thumb, (2 × cores) + 1: a worker waiting on Redis leaves its core to
    another. Capped, since each worker holds its own copy of what the model touches."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def _say(message: str) -> None:
    click.echo(message, err=True)


class _Commands(click.Group):
    """Every command's store errors as one line, not a traceback: an operator whose Redis is
    away needs to be told so, and the exit code a script can test (1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StoreUnavailable as error:
            raise click.ClickException(f"{error}; is REDIS_URL right, and Redis running?") \
                from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Hakam: comment moderation for news sites.

    Example:

    \b
        hakam serve --port 8000
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=default_workers, show_default="2 × cores + 1, at most 8",
              type=click.IntRange(1, 64))
@click.option("--max-requests", default=0, show_default="0: never",
              type=click.IntRange(0, None),
              help="Replace each worker after about this many requests (10% jitter).")
def serve(host: str, port: int, workers: int, max_requests: int) -> None:
    """Run the service under gunicorn (embedded Redis when REDIS_URL is unset).

    Example:

    \b
        hakam serve --host 0.0.0.0 --port 8000 --workers 4
    """
    from .server import serve as run

    try:
        run(_config(), host=host, port=port, workers=workers, max_requests=max_requests)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@main.group()
def sites() -> None:
    """Sites that send comments.

    Example:

    \b
        hakam sites add akhbar --language ar
    """


@sites.command("add")
@click.argument("name")
@click.option("--webhook", "webhook_url", help="URL that receives moderator decisions.")
@click.option("--language", type=click.Choice(["ar", "en"]), default="ar", show_default=True)
def sites_add(name: str, webhook_url: str | None, language: str) -> None:
    """Create a site and print its API key (alone, on standard output).

    Example:

    \b
        hakam sites add akhbar --language ar --webhook https://news.example/hakam
    """
    if webhook_url and not webhook_url.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--webhook")
    with open_store() as store:
        try:
            api_key, secret = store.create_site(name, webhook_url=webhook_url, language=language)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    click.echo(api_key)
    _say(f"webhook secret: {secret}")
    _say(f"site {name!r} created; the key above is shown only once and stored only as a hash")


@sites.command("list")
def sites_list() -> None:
    """List sites, their language, webhook and queue depth.

    Example:

    \b
        hakam sites list
    """
    with open_store() as store:
        for site in store.list_sites():
            state = "revoked" if site.revoked else "active"
            click.echo(f"{site.name}\t{site.language}\t{state}\t"
                       f"held={store.queue_depth(site.name)}\t{site.webhook_url or '-'}\t"
                       f"hold-on={_holds(site.policy.attribute_hold) or '-'}")


def _holds(attribute_hold: dict[str, float]) -> str:
    """`insult=0.8,threat=0.5`: the attributes a site holds on and its lines."""
    return ",".join(f"{name}={line:g}" for name, line in attribute_hold.items())


class AttributeHold(click.ParamType):
    """`NAME=SCORE` (hold on the attribute above SCORE) or `NAME=off` (stop holding on it)."""

    name = "NAME=SCORE|off"

    def convert(self, value, param, ctx) -> tuple[str, float | None]:
        if isinstance(value, tuple):
            return value
        name, equals, line = str(value).partition("=")
        name, line = name.strip(), line.strip()
        if name not in ATTRIBUTES:
            self.fail(f"{name!r} is no attribute; expected one of {', '.join(ATTRIBUTES)}",
                      param, ctx)
        if not equals or not line:
            self.fail(f"give {name}=SCORE (a number from 0 to 1) or {name}=off", param, ctx)
        if line.lower() == "off":
            return name, None
        try:
            score = float(line)
        except ValueError:
            score = float("nan")
        if not 0 <= score <= 1:  # nan too
            self.fail(f"{line!r} is not a score from 0 to 1 (or off) for {name}", param, ctx)
        return name, score


@sites.command("revoke")
@click.argument("name")
def sites_revoke(name: str) -> None:
    """Revoke a site's key: its requests get 401 from now on.

    Example:

    \b
        hakam sites revoke akhbar
    """
    with open_store() as store:
        if not store.revoke_site(name):
            raise click.ClickException(f"no site named {name!r}")
    _say(f"site {name!r} revoked")


@sites.command("configure")
@click.argument("name")
@click.option("--premoderation/--no-premoderation", default=None,
              help="Hold every comment for review.")
@click.option("--previously-approved/--no-previously-approved", default=None,
              help="Hold comments from authors without a previously approved comment.")
@click.option("--disallowed-word", "disallowed", multiple=True,
              help="Comments containing it are spam (repeatable; replaces the list).")
@click.option("--moderation-word", "moderation", multiple=True,
              help="Comments containing it are held (repeatable; replaces the list).")
@click.option("--max-links", type=click.IntRange(0, 100), help="Hold comments with more links.")
@click.option("--trusted-domain", "trusted", multiple=True,
              help="A source readers cite (repeatable; replaces the list): links to it or its "
                   "subdomains are neither counted as links nor as spam. The post's own domain "
                   "is always trusted.")
@click.option("--no-trusted-domains", is_flag=True, help="Empty the trusted domain list.")
@click.option("--spam-reject", type=click.FloatRange(0, 1), help="Spam score that rejects.")
@click.option("--spam-hold", type=click.FloatRange(0, 1), help="Spam score that holds.")
@click.option("--abuse-hold", type=click.FloatRange(0, 1), help="Abuse score that holds.")
@click.option("--hold", "holds", type=AttributeHold(), multiple=True,
              help=f"Hold comments whose attribute score is above SCORE "
                   f"({', '.join(ATTRIBUTES)}), e.g. --hold identity_attack=0.5; NAME=off stops "
                   "holding on it (repeatable; the other attributes keep their setting). "
                   "Attributes only inform until a site holds on them.")
@click.option("--audit-rate", type=click.FloatRange(0, 1),
              help="Share of approved comments also queued for a moderator as audit items "
                   "(default 0.02): labels for what the model let through.")
@click.option("--adapt/--no-adapt", default=None,
              help="Learn the site's own line from its labels (a per-site adapter; on by "
                   "default).")
@click.option("--abuse-recall", type=click.FloatRange(0.5, 0.99),
              help="Share of abusive comments an adapted site's hold threshold aims to hold "
                   "(default 0.85; --abuse-hold wins).")
@click.option("--hold-after-rejections", type=click.IntRange(0, 100),
              help="Hold (reason author_history) an author whose last this many decided "
                   "comments were all rejected or spam; 0: off (the default).")
@click.option("--nudge/--no-nudge", default=None,
              help="Answer a comment that would be held for abuse alone with a nudge (422, "
                   "code nudge) so its author can edit it or post it anyway (off by default).")
@click.option("--report-hold", type=click.IntRange(1, 1000),
              help="Readers' reports that send a published comment back to the queue "
                   "(default 3).")
@click.option("--campaign-hold", type=click.IntRange(3, 100_000),
              help="Hold (reason campaign) every further comment of a campaign (near-duplicate "
                   "texts from many authors within 24 h) once it has N authors, even one the "
                   "model would publish.")
@click.option("--no-campaign-hold", is_flag=True, help="Stop holding campaigns.")
@click.option("--require-name-email/--no-require-name-email", default=None)
@click.option("--check-deliverability/--no-check-deliverability", default=None,
              help="Look up the email's domain in DNS.")
@click.option("--webhook", "webhook_url")
@click.option("--language", type=click.Choice(["ar", "en"]))
@click.option("--retention-days", type=click.IntRange(0, 36500),
              help="Days a decided comment keeps its text and its author's name, website and "
                   "keyed hash; then they are removed (labels keep the text). 0: keep them "
                   "(the default). Held comments are never touched.")
def sites_configure(name, premoderation, previously_approved, disallowed, moderation,
                    max_links, trusted, no_trusted_domains, spam_reject, spam_hold, abuse_hold,
                    holds, audit_rate, adapt, abuse_recall, nudge, report_hold,
                    campaign_hold, no_campaign_hold, hold_after_rejections,
                    require_name_email,
                    check_deliverability, webhook_url, language, retention_days) -> None:
    """Change a site's rules; prints the resulting settings as JSON.

    Example:

    \b
        hakam sites configure akhbar --abuse-hold 0.6 --max-links 1
        hakam sites configure akhbar --premoderation --retention-days 365
    """
    not_domains = [d for d in trusted if not trusted_key(d)]
    if not_domains:
        raise click.BadParameter(f"not a domain: {', '.join(map(repr, not_domains))} "
                                 "(expected a name such as bbc.com)",
                                 param_hint="--trusted-domain")
    with open_store() as store:
        site = store.get_site(name)
        if site is None:
            raise click.ClickException(f"no site named {name!r}")
        policy = _given(premoderation=premoderation, previously_approved=previously_approved,
                        max_links=max_links, spam_reject=spam_reject, spam_hold=spam_hold,
                        abuse_hold=abuse_hold, audit_rate=audit_rate, adapt=adapt,
                        abuse_recall=abuse_recall, nudge=nudge, report_hold=report_hold,
                        hold_after_rejections=hold_after_rejections)
        if campaign_hold or no_campaign_hold:
            policy["campaign_hold"] = None if no_campaign_hold else campaign_hold
        if disallowed:
            policy["disallowed_words"] = [w for w in disallowed if w.strip()]
        if moderation:
            policy["moderation_words"] = [w for w in moderation if w.strip()]
        if holds:
            attribute_hold = dict(site.policy.attribute_hold)
            for attribute, line in holds:  # the last one given for an attribute wins
                if line is None:
                    attribute_hold.pop(attribute, None)
                else:
                    attribute_hold[attribute] = line
            policy["attribute_hold"] = attribute_hold
        if trusted or no_trusted_domains:
            # kept as folded (www. and case dropped), which is also how they are compared
            policy["trusted_domains"] = list(dict.fromkeys(map(trusted_key, trusted)))
        rules = _given(require_name_email=require_name_email,
                       check_deliverability=check_deliverability)
        site = store.configure_site(name, rules=site.rules.updated(rules),
                                    policy=site.policy.updated(policy),
                                    webhook_url=webhook_url, language=language,
                                    retention_days=retention_days)
    click.echo(json.dumps(site.settings(), ensure_ascii=False))


def _given(**options) -> dict:
    """The options given on the command line (click passes None for the others)."""
    return {name: value for name, value in options.items() if value is not None}


@sites.command("adapt")
@click.argument("name")
@click.option("--reset", is_flag=True,
              help="Drop the site's adapter: the shipped model scores it again, until it has "
                   "50 labels more.")
def sites_adapt(name: str, reset: bool) -> None:
    """Fit the site's adapter on its labels now; prints JSON: the labels used, out-of-fold
    ROC-AUC of the shipped model and of the adapter, the hold threshold, and whether the
    adapter is in force (and if not, why).

    Example:

    \b
        hakam sites adapt akhbar
    """
    from hakam.model import Scorer

    from .adapting import run_fit, summary, wait_for_fit_lock

    config = _config()
    with open_store() as store:
        site = store.get_site(name)
        if site is None:
            raise click.ClickException(f"no site named {name!r}")
        if reset:
            store.reset_adapter(name)
            _say(f"site {name!r}: adapter dropped; the shipped model scores it again")
            click.echo(json.dumps({"site": name, "reset": True, "active": False}))
            return
        try:
            scorer = Scorer.load(config.model_path)
        except (FileNotFoundError, ValueError) as error:
            raise click.ClickException(f"cannot load the model: {error}") from None
        token = wait_for_fit_lock(store, name, config.adapt_lock_seconds,
                                  patience=config.adapt_lock_seconds)
        if token is None:
            raise click.ClickException(f"another fit of {name!r} holds the lock; try again "
                                       "when it is done")
        report = run_fit(store, scorer, name, token, lock_seconds=config.adapt_lock_seconds,
                         by="command", say=_say)
    click.echo(json.dumps(summary(report, site.policy), ensure_ascii=False))


@main.group()
def posts() -> None:
    """Rules for one post: premoderate it, close it, open it.

    Example:

    \b
        hakam posts configure akhbar 17 --close
    """


@posts.command("configure")
@click.argument("site")
@click.argument("post_id")
@click.option("--premoderation/--no-premoderation", default=None,
              help="Hold every comment on the post for review (--no-premoderation: not, "
                   "whatever its section says).")
@click.option("--close", "comments", flag_value="closed",
              help="Refuse every comment on the post (422 comments_closed).")
@click.option("--open", "comments", flag_value="open",
              help="Take comments on the post, whatever its section's --close-after-days says.")
@click.option("--reset", is_flag=True, help="Drop the post's rules: its section's apply.")
def posts_configure(site: str, post_id: str, premoderation: bool | None, comments: str | None,
                    reset: bool) -> None:
    """Change a post's rules (POST_ID as comments give it in comment_post_ID); prints them
    as JSON.

    Example:

    \b
        hakam posts configure akhbar 17 --close
        hakam posts configure akhbar 18 --premoderation
    """
    from .discussion import PostRule
    from .posts import post_answer
    from .schemas import _POST_ID

    post_id = post_id.strip()
    if not _POST_ID.fullmatch(post_id):
        raise click.BadParameter("must be a positive whole number or an id of at most 64 "
                                 "characters", param_hint="POST_ID")
    with open_store() as store:
        current = store.get_site(site)
        if current is None:
            raise click.ClickException(f"no site named {site!r}")
        rule = PostRule() if reset else current.discussion.posts.get(post_id, PostRule())
        if premoderation is not None:
            rule = PostRule(premoderation=premoderation, closed=rule.closed)
        if comments is not None:
            rule = PostRule(premoderation=rule.premoderation, closed=comments == "closed")
        store.configure_post(site, post_id, rule)
    click.echo(json.dumps(post_answer(post_id, rule), ensure_ascii=False))


@main.group()
def sections() -> None:
    """Rules for the posts under an address prefix (a section of the site).

    Example:

    \b
        hakam sections list akhbar
    """


@sections.command("configure")
@click.argument("site")
@click.argument("url_prefix")
@click.option("--premoderation/--no-premoderation", default=None,
              help="Hold every comment on the section's posts for review (--no-premoderation: "
                   "not, whatever a shorter section says).")
@click.option("--close-after-days", type=click.IntRange(0, MAX_CLOSE_AFTER_DAYS),
              help="Close each post N days after its post_date (when the site sends it), "
                   "else after its first comment; 0: never, whatever a shorter section says.")
@click.option("--remove", is_flag=True, help="Drop the section.")
def sections_configure(site: str, url_prefix: str, premoderation: bool | None,
                       close_after_days: int | None, remove: bool) -> None:
    """Change the rules of the posts whose post_url starts with URL_PREFIX (e.g.
    https://akhbar.example/politics/); prints them as JSON. The longest prefix wins.

    Example:

    \b
        hakam sections configure akhbar https://akhbar.example/politics/ --close-after-days 3
    """
    from .discussion import SectionRule, section_prefix
    from .schemas import _WEB_ADDRESS

    try:
        if not _WEB_ADDRESS.fullmatch(url_prefix):
            raise ValueError(url_prefix)
        prefix = section_prefix(url_prefix)
    except ValueError:
        raise click.BadParameter("must be an http(s) address, such as "
                                 "https://akhbar.example/politics/",
                                 param_hint="URL_PREFIX") from None
    with open_store() as store:
        current = store.get_site(site)
        if current is None:
            raise click.ClickException(f"no site named {site!r}")
        rule = next((s for s in current.discussion.sections if s.url_prefix == prefix),
                    SectionRule(prefix))
        if remove:
            rule = SectionRule(prefix)
        if premoderation is not None:
            rule = SectionRule(prefix, premoderation, rule.close_after_days)
        if close_after_days is not None:
            rule = SectionRule(prefix, rule.premoderation, close_after_days)
        store.configure_section(site, rule)
    click.echo(json.dumps(rule.to_dict(), ensure_ascii=False))
    if rule.is_empty():
        _say(f"section {prefix} has no rules left: removed")


@sections.command("list")
@click.argument("site")
def sections_list(site: str) -> None:
    """Print the site's sections as JSON lines, most specific first.

    Example:

    \b
        hakam sections list akhbar
    """
    with open_store() as store:
        current = store.get_site(site)
        if current is None:
            raise click.ClickException(f"no site named {site!r}")
    for rule in current.discussion.sections:
        click.echo(json.dumps(rule.to_dict(), ensure_ascii=False))


@main.group()
def moderators() -> None:
    """People who review held comments.

    Example:

    \b
        hakam moderators add salma
    """


@moderators.command("add")
@click.argument("name")
def moderators_add(name: str) -> None:
    """Create a moderator (or rotate their token) and print the token alone on standard output.

    Example:

    \b
        hakam moderators add salma
    """
    with open_store() as store:
        token = store.create_moderator(name)
    click.echo(token)
    _say(f"moderator {name!r} ready; the token is shown only once")


@main.group()
def readers() -> None:
    """Readers' rights: export or erase what Hakam holds about a reader, by their email.

    Example:

    \b
        hakam readers export laila@example.com --site akhbar
    """


def _reader_sites(store: Store, site: str | None) -> list[str]:
    names = store.site_names()
    if site is None:
        return names
    if site not in names:
        raise click.ClickException(f"no site named {site!r}")
    return [site]


def _reader_key(store: Store, email: str) -> str:
    from email_validator import EmailNotValidError

    from .reader_keys import reader_key

    try:
        return reader_key(store, email)
    except EmailNotValidError:
        raise click.BadParameter("not an email address", param_hint="EMAIL") from None


@readers.command("export")
@click.argument("email")
@click.option("--site", help="Only this site (default: every site).")
def readers_export(email: str, site: str | None) -> None:
    """Print, as JSON, every comment of the reader with this email (any case) and the labels
    made from them, per site. Hakam keeps no email or IP, only keyed hashes of them.

    Example:

    \b
        hakam readers export laila@example.com --site akhbar
    """
    with open_store() as store:
        author_key = _reader_key(store, email)
        found = {}
        for name in _reader_sites(store, site):
            held = store.reader_export(name, author_key)  # as the API exports it
            if held["comments"] or held["labels"] or len(held) > 2:
                found[name] = held
    click.echo(json.dumps({"sites": found}, ensure_ascii=False, indent=2))
    _say(f"{_count(sum(len(held['comments']) for held in found.values()), 'comment')} of this "
         f"reader on {_count(len(found), 'site')}")


@readers.command("erase")
@click.argument("email")
@click.option("--site", help="Only this site (default: every site).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def readers_erase(email: str, site: str | None, yes: bool) -> None:
    """Erase the reader with this email (any case): their comments, everything made from them
    (labels, pending webhooks, the audit's link to them) and their keyed hashes. Running it
    again finds nothing and changes nothing.

    Example:

    \b
        hakam readers erase laila@example.com --site akhbar --yes
    """
    with open_store() as store:
        author_key = _reader_key(store, email)
        names = _reader_sites(store, site)
        held = {name: store.reader_comment_count(name, author_key) for name in names}
        where = "every site" if site is None else f"site {site!r}"
        if not yes:
            listed = ", ".join(f"{n} on {name!r}" for name, n in held.items() if n) or "none"
            click.confirm(f"Erase this reader's data on {where} (comments: {listed})? "
                          "This cannot be undone", abort=True, err=True)
        for name in names:
            erased = store.erase_reader(name, author_key)
            click.echo(f"{name}\terased {_count(erased.comments, 'comment')}, "
                       f"{_count(erased.labels, 'label')}, "
                       f"{_count(erased.deliveries, 'webhook delivery', 'webhook deliveries')}; "
                       f"{_count(erased.decisions, 'audit entry', 'audit entries')} no longer "
                       "name a comment")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@main.group()
def authors() -> None:
    """Act on the author of a comment on a site (Hakam keeps no email: a comment names them).

    Example:

    \b
        hakam authors suspend akhbar 8bf6ea8a6376445bad907175b40c239d --days 7 --reason insult
    """


# what each `hakam authors` command says in its --help, and its example
_AUTHOR_ACTION_HELP = {
    "premoderate": "Hold every later comment of the author of COMMENT_ID on SITE for a "
                   "moderator (reason author_premoderated), until lifted or for --days.",
    "suspend": "Refuse the comments of the author of COMMENT_ID on SITE for --days days "
               "(403 author_suspended, with the end date).",
    "ban": "Refuse the comments of the author of COMMENT_ID on SITE (403 author_banned), "
           "until lifted or for --days; --decide-held also decides their held comments.",
    "lift": "End whatever is in force on the author of COMMENT_ID on SITE.",
}
_AUTHOR_EXAMPLE_COMMENT = "8bf6ea8a6376445bad907175b40c239d"
_AUTHOR_ACTION_EXAMPLE = {
    "premoderate": f"hakam authors premoderate akhbar {_AUTHOR_EXAMPLE_COMMENT} --days 30",
    "suspend": f"hakam authors suspend akhbar {_AUTHOR_EXAMPLE_COMMENT} --days 7 --reason insult",
    "ban": f"hakam authors ban akhbar {_AUTHOR_EXAMPLE_COMMENT} --decide-held reject",
    "lift": f"hakam authors lift akhbar {_AUTHOR_EXAMPLE_COMMENT} --by salma",
}


def _author_action(action: AuthorAction):
    @authors.command(action, help=_AUTHOR_ACTION_HELP[action] + "\n\nExample:\n\n\b\n    "
                     + _AUTHOR_ACTION_EXAMPLE[action])
    @click.argument("site")
    @click.argument("comment_id")
    @click.option("--days", type=click.IntRange(1, 3650), required=action == AuthorAction.SUSPEND,
                  hidden=action == AuthorAction.LIFT)
    @click.option("--reason", default="", help="Why, for the audit.")
    @click.option("--decide-held", type=click.Choice(["reject", "spam"]),
                  hidden=action != AuthorAction.BAN,
                  help="Also decide every held comment of theirs so, each its own decision.")
    @click.option("--by", "moderator", default=lambda: f"cli:{getpass.getuser()}",
                  show_default="cli:<your user name>", help="Who acts, for the audit.")
    def command(site: str, comment_id: str, days: int | None, reason: str,
                decide_held: str | None, moderator: str) -> None:
        from .errors import HakamError

        if action == AuthorAction.LIFT and days is not None:
            raise click.BadParameter("lifting takes no number of days", param_hint="--days")
        if decide_held is not None and action != AuthorAction.BAN:
            raise click.BadParameter("only with ban", param_hint="--decide-held")
        with open_store() as store:
            if store.get_site(site) is None:
                raise click.ClickException(f"no site named {site!r}")
            try:
                answer = store.act_on_author(comment_id, moderator, action, days=days,
                                             reason=reason, decide_held=decide_held, site=site)
            except StoreUnavailable:
                raise
            except HakamError as refused:
                raise click.ClickException(f"{refused.code}: {refused}") from None
        click.echo(json.dumps(answer, ensure_ascii=False))
        _say(f"{action}: done on the author of {comment_id} on {site!r}")

    return command


for _action in AuthorAction:
    _author_action(_action)


@main.command()
def migrate() -> None:
    """Move a store written by an older Hakam to the current key layout (safe to re-run).

    Example:

    \b
        hakam migrate
    """
    from .store import MigrationBusy

    with open_store() as store:
        try:
            report = store.migrate()
        except MigrationBusy as busy:
            raise click.ClickException(str(busy)) from None
    for line in report.lines():
        _say(line)


@main.group()
def labels() -> None:
    """Training labels from moderator decisions and site feedback.

    Example:

    \b
        hakam labels export > labels.jsonl
    """


@labels.command("export")
def labels_export() -> None:
    """Write every label as JSONL (text, task, label, source, site) to standard output,
    oldest first across sites.

    Example:

    \b
        hakam labels export > labels.jsonl
    """
    count = 0
    with open_store() as store:
        for label in store.labels():
            sys.stdout.write(json.dumps(label, ensure_ascii=False) + "\n")
            count += 1
    _say(f"exported {count} labels")


def _register_model_commands() -> None:
    # training's dependencies (scikit-learn, scipy, tqdm) are the package's own: no guard
    from hakam.training.cli import register

    register(main)


_register_model_commands()


if __name__ == "__main__":
    main()
