"""Markdown for people: the evaluation table and the model card. Formatting only; never
computes a metric."""

from __future__ import annotations

from pathlib import Path

LICENCES = {
    "youtube-spam": "not stated in the source repository (UCI terms not verified)",
    "sms-spam-collection": "free, no limitations; copyright Almeida & Gómez Hidalgo; cite",
    "arabic-spam-tweets": "GPL-3.0 (the source repository; the dataset's own not verified)",
    "davidson-hate-offensive": "MIT",
    "olid-english-offensive": "not stated",
    "mlma-hate-speech": "MIT",
    "mubarak2017-aljazeera-comments": "not stated",
    "mubarak2017-arabic-tweets": "not stated",
    "osact2020-arabic-offensive": "CC-BY (per the OffensEval 2020 Arabic README)",
    "l-hsab-levantine": "not stated",
    "vanetik-arabic-offensive-collection": "GPL-3.0 (the re-organised collection; originals "
                                            "not checked)",
    "fox-news-comments-hate": "MIT (per the authors' README)",
    "stormfront-hate-speech": "CC BY-SA 3.0 ES",
    "tsac-tunisian-sentiment": "LGPL-3.0",
    "goemotions-reddit-comments": "Apache-2.0",
    "toxic-spans-civil-comments": "CC0-1.0",
}


# What the card says about readers' data (issue 14): the same for every trained model.
READERS_DATA = [
    "## Readers' data in the labels", "",
    "Besides the public datasets above, a model retrained with `--extra` learns from an "
    "installation's own labels (`hakam labels export`); what those hold about readers:",
    "",
    "- A label is the judged text, the head, 0 or 1, its source and site: never the reader's "
    "name, email, IP or a hash of them.",
    "- Erasing a reader (`POST /v1/readers/erase`, `hakam readers erase`, WordPress's Erase "
    "Personal Data) deletes the labels made from their comments, so no later `hakam labels "
    "export` holds their text. A model trained before the erasure may keep words and short "
    "phrases of those comments in its vocabulary: retrain on a fresh export and promote the "
    "result to be rid of them.",
    "- A site's retention period (`--retention-days`) removes a decided comment's text and "
    "personal fields from its record; its labels keep the text and the label (so the model "
    "can still learn from the decision), no longer linked to the reader.",
    "",
]


def _share(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def cross_source_markdown(cross: dict) -> list[str]:
    """Per held-out group, the recipe's and the baseline's figures."""
    lines = ["## Cross-source: trained without the group, scored on all of its rows", "",
             "Each group's rows (every split) are held out of training in both heads; "
             "thresholds are chosen on the rest's calibration split as in training. Abusive / "
             "clean held: share kept from publication (held or rejected) by either head at "
             "those thresholds. Genuine comments: every row of the group that is not spam; "
             "rejected: spam score above spam_reject (never acceptable).", "",
             "| held-out group | model | abuse rows (+) | ROC-AUC | PR-AUC | abusive held | "
             "clean held | genuine comments | rejected as spam | held as spam | spam ROC-AUC / "
             "PR-AUC |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for group, entry in cross.items():
        if "skipped" in entry:
            lines.append(f"| {group} | skipped: {entry['skipped']} |" + " |" * 9)
            continue
        for who in ("model", "baseline"):
            if who not in entry:
                continue
            figures = entry[who]
            abuse, spam = figures.get("abuse", {}), figures.get("spam", {})
            spam_auc = (f"{spam['roc_auc']:.3f} / {spam['pr_auc']:.3f}"
                        if "roc_auc" in spam else "–")
            rejected = (f"{spam['genuine_rejected_count']} ({_share(spam['genuine_rejected'])})"
                        if spam else "–")
            lines.append(
                f"| {group} | {who} | "
                f"{abuse.get('n', '–')} ({abuse.get('positives', '–')}) | "
                f"{_number(abuse.get('roc_auc'))} | {_number(abuse.get('pr_auc'))} | "
                f"{_share(abuse.get('abusive_held'))} | {_share(abuse.get('clean_held'))} | "
                f"{spam.get('genuine', '–')} | {rejected} | "
                f"{_share(spam.get('genuine_held_as_spam'))} | {spam_auc} |")
    return lines + [""]


def hatecheck_markdown(hatecheck: dict) -> list[str]:
    lines = ["## HateCheck (functional tests, never trained on)", "",
             "A case passes when the abuse head holds it (abuse above abuse_hold) exactly when "
             "it is hateful or offensive (profanity_nh, target_indiv_nh, target_group_nh count "
             "as offensive; target_obj_nh and slur_reclaimed_nh are left out).", ""]
    for suite, entry in hatecheck.items():
        lines += [f"{suite}: {entry['cases']} cases, pass rate {entry['pass_rate']:.3f}", "",
                  "| functionality | abusive | cases | pass rate |", "|---|---|---:|---:|"]
        for name, figures in entry["functionalities"].items():
            lines.append(f"| {name} | {'yes' if figures['abusive'] else 'no'} | "
                         f"{figures['cases']} | {figures['pass_rate']:.3f} |")
        lines.append("")
    return lines


def ordinary_markdown(ordinary: dict) -> list[str]:
    lines = ["## Ordinary reader comments (tests/model/ordinary_comments.jsonl)", "",
             "Agreement, thanks, disagreement, questions, \"this comment\" / \"this article\", "
             "links to news sources (no trusted domain configured), emoji, newsletter and "
             "comment-section remarks, written by the project.", "",
             "| comments | n | rejected as spam | held as spam | held as abuse |",
             "|---|---:|---:|---:|---:|"]
    for key, entry in ordinary.items():
        lines.append(f"| {key} | {entry['comments']} | {entry['rejected']} | "
                     f"{entry['held_as_spam']} ({entry['held_as_spam_share']:.3f}) | "
                     f"{entry['held_as_abuse']} |")
    every = ordinary.get("all", {})
    if every.get("rejected_texts") or every.get("held_texts"):
        lines += ["", "Not published:", ""]
        for outcome in every.get("rejected_texts", []) + every.get("held_texts", []):
            lines.append(f"- spam {outcome['spam']:.2f}, abuse {outcome['abuse']:.2f}: "
                         f"{outcome['text']}")
    return lines + [""]


def _arabizi(result: dict) -> str:
    suite = result.get("hatecheck", {}).get("multilingual-hatecheck-arabic", {})
    case = suite.get("functionalities", {}).get("spell_sent_arabazi_h")
    return (f" (HateCheck's Arabizi cases: {case['pass_rate']:.0%} held)" if case else "")


def _measured_limitations(result: dict) -> list[str]:
    """What the cross-source figures and the diagnostics say is weak, in numbers."""
    lines = []
    cross = {group: entry for group, entry in result.get("cross_source", {}).items()
             if "model" in entry}
    if cross:
        aucs = [f"{group} {entry['model']['abuse']['roc_auc']:.2f}"
                for group, entry in cross.items() if "roc_auc" in entry["model"].get("abuse", {})]
        lines.append(
            "- On sources it never saw the abuse head is far weaker than on the fixed split "
            "(abuse ROC-AUC with the group held out: " + ", ".join(aucs) + "), and the hold "
            "threshold catches fewer abusive comments there: a new site's comments are such a "
            "source. Dialects with little data (Maghrebi, Levantine) and English outside "
            "tweets are the weakest; retrain with the site's moderator labels.")
        english = cross.get("english-comments", {}).get("model", {}).get("spam", {})
        if "roc_auc" in english:
            lines.append(
                f"- English spam: with YouTube held out, SMS alone ranks YouTube spam at "
                f"ROC-AUC {english['roc_auc']:.2f}; English comment spam of another kind is "
                "mostly held, not rejected.")
    ordinary = result.get("ordinary_comments", {}).get("all")
    if ordinary:
        lines.append(
            f"- Of {ordinary['comments']} ordinary reader comments written for Hakam, "
            f"{ordinary['rejected']} are rejected as spam, {ordinary['held_as_spam']} held as "
            f"spam and {ordinary['held_as_abuse']} held as abuse (see the list above): links to "
            "news sites not on the site's trusted list still raise the spam score, so they may "
            "be held.")
    lines.append(
        "- spam_reject sits above every genuine comment of the calibration split, so only "
        "the most blatant spam is rejected outright; the rest is held for a moderator.")
    return lines


def _recipe_notes(recipe: dict) -> list[str]:
    """What the recipe's author measured against the model it replaced (`[card] notes`)."""
    return [f"- {note}" for note in recipe.get("card", {}).get("notes", [])]


def diagnostics_markdown(result: dict) -> list[str]:
    lines: list[str] = []
    if result.get("cross_source"):
        lines += cross_source_markdown(result["cross_source"])
    if result.get("ordinary_comments"):
        lines += ordinary_markdown(result["ordinary_comments"])
    if result.get("hatecheck"):
        lines += hatecheck_markdown(result["hatecheck"])
    if result.get("attributes"):
        lines += ["## Attribute heads on their own labels (evaluation split)", "",
                  *attribute_markdown(result["attributes"]), ""]
    if result.get("bias"):
        previous = (result.get("previous") or {}).get("bias")
        lines += ["## Neutral mentions of groups held, per identity term", "",
                  *neutral_markdown(result["bias"], previous), "",
                  "## Unintended bias per identity term (Borkan et al. 2019)", "",
                  *borkan_markdown(result["bias"]), ""]
    return lines


def _number(value) -> str:
    return "–" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def slices_markdown(result: dict) -> list[str]:
    lines = ["| slice | n | positives | ROC-AUC | PR-AUC | baseline ROC-AUC | baseline PR-AUC | "
             "precision / recall at threshold |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, entry in result["slices"].items():
        model, base = entry["model"], entry.get("baseline", {})
        at = []
        for key in ("at_spam_reject", "at_spam_hold", "at_abuse_hold"):
            if key in entry:
                point = entry[key]
                if point["recall"] is None:  # only clean rows (spam negatives): what it flags
                    at.append(f"{key[3:]} > {point['threshold']:.3f}: flags "
                              f"{_number(point['clean_flagged_share'])} of clean")
                else:
                    at.append(f"{key[3:]} > {point['threshold']:.3f}: "
                              f"P {_number(point['precision'])} / R {_number(point['recall'])}")
        lines.append(f"| {name} | {model['n']} | {model['positives']} | "
                     f"{_number(model.get('roc_auc'))} | {_number(model.get('pr_auc'))} | "
                     f"{_number(base.get('roc_auc'))} | {_number(base.get('pr_auc'))} | "
                     f"{'; '.join(at)} |")
    return lines


def evaluation_markdown(result: dict) -> str:
    lines = ["# Evaluation (fixed evaluation split)", "", *slices_markdown(result)]
    diagnostics = diagnostics_markdown(result)
    return "\n".join(lines + ([""] + diagnostics if diagnostics else [])) + "\n"


CARD_TEMPLATE = Path(__file__).parent / "templates" / "model_card.md"


def _members(recipe: dict) -> str:
    described = []
    for task in ("spam", "abuse"):
        head = recipe.get("heads", {}).get(task, {})
        members = head.get("members") or [head]
        parts = []
        for member in members:
            kind = "NB-weighted" if member.get("nb") else "plain"
            if member.get("nb_binary"):
                kind += " (binarised counts)"
            if member.get("nb_even"):
                kind += f" (datasets' classes evened to the power {member['nb_even']:g})"
            parts.append(f"{kind}, C {member.get('C', 2.0):g}"
                         + (", its own dataset shares" if "shares" in member else ""))
        described.append(f"the {task} head averages {len(members)}: " + "; ".join(parts))
    return "; ".join(described) + " (the recipe is in the model's metadata)"


def _language_lines(result: dict, settings: dict) -> str:
    offsets = result.get("language_offset", {}).get("abuse", {})
    anchors = settings.get("abuse_hold_languages", {})
    if not anchors:
        return ""
    parts = []
    for language, anchor in sorted(anchors.items()):
        offset = offsets.get(language)
        shift = f"shifted by {offset:+.3f}" if offset is not None else "not shifted (anchor absent)"
        parts.append(f"{language}: {anchor['recall']:.0%} of {anchor['dataset']}, {shift}")
    return (" Each other language's abuse decision values are shifted (the model's "
            "`language_offset`) so that the same line keeps back the same share of its own "
            "anchor's abusive rows: " + "; ".join(parts) + ".")


def _clean_share_rule(settings: dict) -> str:
    share = settings.get("attribute_hold_clean_share")
    return (f", and above all but {share:.0%} of its clean calibration rows" if share is not None
            else "")


def _bias_recipe(recipe: dict) -> str:
    bias = recipe.get("bias", {})
    neutral = recipe.get("identity_negatives", {})
    lines = []
    if bias.get("dataset_intercepts"):
        lines.append(
            "- One intercept column per dataset source while the "
            + ", ".join(bias["dataset_intercepts"]) + " heads are fitted, dropped from the "
            "model (as a site's own intercept is): a dataset's base rate is learned there, not "
            "by the topic words its texts share.")
    evens = [m.get("nb_even") for m in recipe.get("heads", {}).get("abuse", {}).get(
        "members", []) if m.get("nb_even")]
    if evens:
        lines.append(
            f"- The abuse head's NB ratios count each dataset's abusive and clean rows toward "
            f"evenness (weights (n / 2·n_label) ** {evens[0]:g}): a dataset's base rate no "
            "longer makes its topic words look abusive in the ratios either.")
    if bias.get("identity_masked"):
        lines.append(
            "- The " + ", ".join(bias["identity_masked"]) + " heads are trained without the "
            "features that name a group of people (training/identity_columns.py: word n-grams "
            "holding an identity term, character n-grams whose documents mostly owe them to "
            "one), so their weights there are 0 and naming a group never raises those scores "
            "by itself; identity_attack keeps them.")
    if neutral.get("datasets"):
        lines.append(
            "- Clean rows naming a group of people (an identity term) from "
            + ", ".join(neutral["datasets"]) + f" train the abuse head as negatives "
            f"(each weighing {neutral.get('row_weight', 1.0):g}), with no intercept of their "
            "own: they teach that naming a group is not abuse. Never evaluated on.")
    return "\n".join(lines) or "- Nothing beyond the dataset shares."


def _data_table(result: dict, recipe: dict) -> str:
    lines = ["| head | dataset | licence | weight (share) | train +/− | calibration +/− | "
             "evaluation +/− |", "|---|---|---|---:|---|---|---|"]
    for task, by_name in result.get("sizes", {}).items():
        shares = recipe.get("datasets", {}).get(task, {})
        for name, counts in by_name.items():
            def pair(split, counts=counts):
                return (f"{counts.get(split + '_positive', 0)} / "
                        f"{counts.get(split + '_negative', 0)}")
            share = shares.get(name, "extra rows" if name.startswith("extra:") else
                               "identity-neutral rows" if task == "abuse" else 1.0)
            lines.append(f"| {task} | {name} | {LICENCES.get(name, 'see source')} | {share} | "
                         f"{pair('train')} | {pair('calibration')} | {pair('evaluation')} |")
    return "\n".join(lines)


def _attribute_data(result: dict, recipe: dict) -> str:
    lines = []
    for name, by_language in result.get("attributes", {}).items():
        datasets = {lang: ", ".join(entry.get("datasets", [])) for lang, entry in
                    by_language.items()}
        lines.append(f"- `{name}`: " + "; ".join(f"{lang}: {names or '(no labels)'}"
                                                 for lang, names in datasets.items())
                     + f" (shares: {recipe.get('datasets', {}).get(name, {})})")
    return "\n".join(lines) or "- This model has no attribute heads."


def attribute_markdown(attributes: dict) -> list[str]:
    lines = ["| attribute | language | rows (+) | head ROC-AUC | abuse score ROC-AUC | "
             "head PR-AUC | abuse score PR-AUC | at hold: precision / recall |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, by_language in attributes.items():
        for language, entry in by_language.items():
            if entry.get("not_read"):
                lines.append(f"| {name} | {language} | {entry['n']} | not read | | | | |")
                continue
            head, abuse, at = entry["head"], entry["abuse_score"], entry["at_hold"]
            lines.append(f"| {name} | {language} | {head['n']} ({head['positives']}) | "
                         f"{_number(head.get('roc_auc'))} | {_number(abuse.get('roc_auc'))} | "
                         f"{_number(head.get('pr_auc'))} | {_number(abuse.get('pr_auc'))} | "
                         f"{_number(at['precision'])} / {_number(at['recall'])} |")
    return lines


def _threshold_points(result: dict) -> str:
    lines = []
    for name, entry in result["slices"].items():
        for key in ("at_spam_reject", "at_spam_hold", "at_abuse_hold"):
            if key in entry and ("dataset:" in name or name.count("/") == 1):
                point = entry[key]
                lines.append(f"- {name}, {key[3:]}: flags {point['flagged']} of "
                             f"{entry['model']['n']}; precision {_number(point['precision'])}, "
                             f"recall {_number(point['recall'])}, clean comments flagged "
                             f"{_number(point['clean_flagged_share'])}")
    return "\n".join(lines)


def neutral_markdown(bias: dict, previous: dict | None = None) -> list[str]:
    """Held share of neutral mentions per term (and the previous model's, when known)."""
    mine = bias.get("neutral_mentions", {})
    theirs = (previous or {}).get("neutral_mentions", {})
    if not mine:
        return []
    before = bool(theirs)
    lines = [f"Held overall: {_before(theirs.get('held_share'), before)}"
             f"{mine['held_share']:.3f} ({mine['held']} of {mine['sentences']}); by language: "
             + ", ".join(f"{lang} {_before(theirs.get('by_language', {}).get(lang), before)}"
                         f"{share:.3f}" for lang, share in mine["by_language"].items()) + ".", "",
             "| term | held share" + (" (previous → this)" if before else "")
             + " | BPSN AUC | BPSN AUC within datasets |",
             "|---|---|---:|---:|"]
    terms = {key: entry for language in bias.get("terms", {}).values()
             for key, entry in language.get("per_term", {}).items()}
    for key, share in mine["terms"].items():
        entry = terms.get(key, {})
        lines.append(f"| {key} | {_before(theirs.get('terms', {}).get(key), before)}"
                     f"{share:.1f} | {_number(entry.get('bpsn_auc'))} | "
                     f"{_number(entry.get('within_dataset', {}).get('bpsn_auc'))} |")
    return lines


def _before(value, shown: bool) -> str:
    return f"{_number(value)} → " if shown else ""


def borkan_markdown(bias: dict) -> list[str]:
    """Pooled over the language's datasets, then (in brackets) ranked within datasets only."""
    lines = ["| term | rows (+) | subgroup AUC | BPSN AUC | BNSP AUC |",
             "|---|---:|---:|---:|---:|"]
    for language, entry in bias.get("terms", {}).items():
        for key, figures in entry.get("per_term", {}).items():
            within = figures.get("within_dataset", {})
            cells = [f"{_number(figures[m])}" + (f" ({_number(within.get(m))})" if within else "")
                     for m in ("subgroup_auc", "bpsn_auc", "bnsp_auc")]
            lines.append(f"| {key} | {figures['rows']} ({figures['positives']}) | "
                         + " | ".join(cells) + " |")
        for measure, summary in entry.get("summary", {}).items():
            lines.append(f"| {language}: mean {measure} | | {summary['mean']:.3f} (lowest "
                         f"{summary['min']:.3f}, {summary['min_term']}) | | |")
    return lines


def _limitations(result: dict, recipe: dict) -> str:
    behind = [f"{name} ({metric} {entry['model'][metric]:.4f} vs {entry['baseline'][metric]:.4f})"
              for name, entry in result["slices"].items() if "baseline" in entry
              for metric in ("roc_auc", "pr_auc")
              if metric in entry["model"] and metric in entry["baseline"]
              and entry["model"][metric] < entry["baseline"][metric]]
    lines = [
        "- Behind the plain baseline on: " + "; ".join(behind) + "."
        if behind else "- Not behind the plain baseline on any slice.",
        *_measured_limitations(result),
        *_recipe_notes(recipe),
        "- Trained on public tweets, SMS, YouTube comments and comments Aljazeera moderators "
        "deleted; real comment streams are mostly clean, so precision on a live stream is lower "
        "than on these splits.",
        "- Abuse labels mix offensive, obscene and hate speech, with each dataset's own "
        "definition; political criticism is sometimes labelled offensive. The attribute labels "
        "are coarser still (Toxic Spans' types were a priming device; OLID's level C group "
        "target is not always an identity): treat attribute scores as a ranking, not a verdict.",
        "- Arabic spam data is synthetic-looking and lacks real comment spam; its ham is news "
        "headlines. Retrain with moderator labels (`hakam labels export` → `hakam train "
        "--extra`).",
        "- Arabizi (Arabic in Latin letters and digits) and French appear only in the Moroccan "
        "(OMCD) part of the Vanetik collection and TSAC: Arabizi insults are mostly missed"
        + _arabizi(result) + ".",
    ]
    return "\n".join(lines)


def model_card(result: dict, recipe: dict, data_dir, previous: dict | None = None) -> str:
    """The model card: `templates/model_card.md` filled from the recipe and the results.
    `previous`: the replaced model's figures (bias, ordinary comments) for before → after."""
    from string import Template

    from hakam.model import identity_terms

    from . import bias

    thresholds = result["thresholds"]
    settings = recipe.get("thresholds", {})
    features = recipe.get("features", {})
    notes = result.get("threshold_notes", {})
    rule = (f", and above every genuine comment of the calibration split (the highest scored "
            f"{notes['spam_reject_above_comment']:.4f}) by "
            f"{settings.get('spam_reject_margin', 0.0):g} in log-odds; a rejected comment "
            "never reaches a moderator." if "spam_reject_above_comment" in notes else ".")
    result_bias = result.get("bias", {})
    previous_note = (f"Before → after: the replaced model `{previous.get('version', '?')}` "
                     "scored on the same sentences." if previous else "")
    values = {
        "model_version": result.get("model_version", "?"),
        "char_max_features": features.get("char_max_features", 150000),
        "word_max_features": features.get("word_max_features", 60000),
        "attribute_names": ", ".join(f"`{name}`" for name in result.get("attributes", {}))
        or "no attribute heads",
        "members": _members(recipe),
        "bias_recipe": _bias_recipe(recipe),
        "data_table": _data_table(result, recipe),
        "attribute_data": _attribute_data(result, recipe),
        "attribute_table": "\n".join(attribute_markdown(result.get("attributes", {}))),
        "spam_reject": f"{thresholds['spam_reject']:.4f}",
        "spam_reject_precision": settings.get("spam_reject_precision", 0.98),
        "spam_reject_floor": settings.get("spam_reject_floor", 0.95),
        "spam_reject_rule": rule,
        "spam_hold": f"{thresholds['spam_hold']:.4f}",
        "spam_hold_precision": settings.get("spam_hold_precision", 0.9),
        "abuse_hold": f"{thresholds['abuse_hold']:.4f}",
        "abuse_hold_recall": f"{settings.get('abuse_hold_recall', 0.82):.0%}",
        "abuse_hold_dataset": settings.get("abuse_hold_dataset", "every dataset"),
        "abuse_hold_languages": _language_lines(result, settings),
        "attribute_hold_clean_share": _clean_share_rule(settings),
        "attribute_holds": ", ".join(f"{name} {line:.3f}" for name, line in
                                     thresholds.get("attribute_hold", {}).items()),
        "attribute_hold_precision": settings.get("attribute_hold_precision", 0.7),
        "attribute_hold_floor": settings.get("attribute_hold_floor", 0.3),
        "attribute_hold_ceiling": settings.get("attribute_hold_ceiling", 0.9),
        "threshold_points": _threshold_points(result),
        "term_count": len(identity_terms.terms()),
        "neutral_count": result_bias.get("neutral_mentions", {}).get("sentences", 0),
        "previous_note": previous_note,
        "neutral_table": "\n".join(neutral_markdown(result_bias, (previous or {}).get("bias"))),
        "min_rows": bias.MIN_ROWS,
        "borkan_table": "\n".join(borkan_markdown(result_bias)),
        "slices": "\n".join(slices_markdown(result)),
        # cross-source, ordinary comments, HateCheck (the bias figures have their own section)
        "diagnostics": "\n".join(diagnostics_markdown({**result, "bias": None,
                                                        "attributes": None})),
        "limitations": _limitations(result, recipe),
        "readers_data": "\n".join(READERS_DATA),
        "promotion_rule": recipe.get("card", {}).get("promotion_rule", ""),
    }
    return Template(CARD_TEMPLATE.read_text(encoding="utf-8")).substitute(values)
