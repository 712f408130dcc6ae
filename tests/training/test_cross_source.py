"""Cross-source evaluation, HateCheck diagnostics and the gate they feed, on made-up corpora:
a source group is held out of training entirely and scored, and promotion refuses a model
whose recipe does worse on held-out sources."""

from __future__ import annotations

import json

from hakam.training import crosssource, datasets

from .conftest import run_hakam


def test_training_reports_each_held_out_group_for_the_model_and_the_baseline(
        cross_source_model):
    report = json.loads((cross_source_model / "evaluation.json").read_text())
    levantine = report["cross_source"]["levantine"]
    assert levantine["held_out_rows"] > 0
    for who in ("model", "baseline"):
        figures = levantine[who]
        # made-up Levantine tweets share the news comments' vocabularies: easy to generalise
        assert figures["abuse"]["roc_auc"] > 0.9
        assert 0.5 < figures["abuse"]["abusive_held"] <= 1.0
        assert figures["spam"]["genuine"] > 0 and figures["spam"]["genuine_rejected"] == 0
    # a group none of whose datasets is in the folder is named, not silently left out
    assert "skipped" in report["cross_source"]["english-tweets"]
    markdown = (cross_source_model / "evaluation.md").read_text()
    assert "## Cross-source" in markdown and "| levantine | baseline |" in markdown
    assert "multilingual-hatecheck-arabic" in markdown


def test_no_text_of_a_held_out_group_is_trained_on(wider_corpus, wider_recipe):
    from hakam.training import train

    recipe = train.load_recipe(wider_recipe)
    examples = train.gather(wider_corpus, recipe, quiet=True)
    held = crosssource.group_rows(wider_corpus, "levantine")
    kept = crosssource.training_rows(examples, held, "levantine")
    assert held and {row.dataset for row in held} == {"l-hsab-levantine"}
    assert {row.task for row in held} == {"spam", "abuse"}  # lent to the spam head too
    assert not {row.key for row in held} & {row.key for row in kept}
    assert {row.dataset for row in kept} >= {"mubarak2017-aljazeera-comments", "youtube-spam"}


def test_hatecheck_pass_rates_are_reported_per_functionality(cross_source_model):
    report = json.loads((cross_source_model / "evaluation.json").read_text())
    suite = report["hatecheck"]["multilingual-hatecheck-arabic"]
    assert set(suite["functionalities"]) == {"derog_h", "ident_neutral_nh"}  # target_obj_nh out
    assert suite["functionalities"]["derog_h"]["abusive"] == 1
    assert suite["functionalities"]["derog_h"]["pass_rate"] > 0.9
    assert suite["functionalities"]["ident_neutral_nh"]["pass_rate"] > 0.9


def test_evaluate_holds_out_a_source_on_request(cross_source_model, wider_corpus):
    result = run_hakam("evaluate", "--model", str(cross_source_model), "--data",
                       str(wider_corpus), "--holdout-source", "levantine", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["cross_source"]) == ["levantine"]
    assert report["cross_source"]["levantine"]["model"]["abuse"]["n"] > 0


def test_evaluate_can_record_cross_source_figures_beside_the_model(
        tmp_path, trained_model, corpus, wider_corpus):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(trained_model, model)
    assert "cross_source" not in json.loads((model / "evaluation.json").read_text())
    result = run_hakam("evaluate", "--model", str(model), "--data", str(corpus),
                       "--holdout-source", "all", "--record", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads((model / "evaluation.json").read_text())
    assert set(report["cross_source"]) == set(crosssource.GROUPS)
    assert "slices" in report and "sizes" in report  # training's own figures stay
    assert "## Cross-source" in (model / "MODEL_CARD.md").read_text()


def test_the_cli_names_the_same_groups_as_the_harness():
    from hakam.training.cli import GROUPS

    assert tuple(crosssource.GROUPS) == GROUPS


def test_a_spam_only_dataset_cannot_train_the_abuse_head(wider_corpus):
    heads = {"spam": {}, "abuse": {"tsac-tunisian-sentiment": 1.0}}
    try:
        datasets.raw_examples(wider_corpus, heads)
    except datasets.DatasetError as error:
        assert "tsac-tunisian-sentiment" in str(error)
    else:
        raise AssertionError("TSAC sentiment must never become abuse labels")


def test_promotion_refuses_a_model_without_cross_source_figures_over_one_with(
        cross_source_model, trained_model, wider_corpus):
    first = run_hakam("model", "promote", str(cross_source_model), "--data", str(wider_corpus),
                      "--force")
    assert first.exit_code == 0, first.output
    refused = run_hakam("model", "promote", str(trained_model), "--data", str(wider_corpus))
    assert refused.exit_code != 0
    assert "cross-source" in refused.output and "not promoted" in refused.output


def test_worse_figures_on_a_held_out_group_are_named():
    def figures(roc, clean_held, rejected):
        return {"levantine": {"model": {
            "abuse": {"roc_auc": roc, "pr_auc": 0.8, "abusive_held": 0.7,
                      "clean_held": clean_held},
            "spam": {"genuine_rejected": rejected}}}}

    active = figures(0.80, 0.10, 0.0)
    assert crosssource.worse_groups(figures(0.80, 0.11, 0.0), active, 0.005) == []
    problems = crosssource.worse_groups(figures(0.78, 0.20, 0.001), active, 0.005)
    assert len(problems) == 3
    assert all(problem.startswith("held-out levantine") for problem in problems)


def test_genuine_comments_rejected_on_a_held_out_group_are_compared_as_counts():
    def figures(rejected, genuine=43338):
        return {"english-tweets": {"model": {"spam": {
            "genuine": genuine, "genuine_rejected": round(rejected / genuine, 4),
            "genuine_rejected_count": rejected}}}}

    # 1 and 2 of 43,338 both round to a share of 0.0000: one more rejected reader still refuses
    assert crosssource.worse_groups(figures(2), figures(1), 0.005) == [
        "held-out english-tweets: spam genuine_rejected 2 vs active 1 of 43,338"]
    assert crosssource.worse_groups(figures(3), figures(2), 0.005) == [
        "held-out english-tweets: spam genuine_rejected 3 vs active 2 of 43,338"]
    assert crosssource.worse_groups(figures(2), figures(2), 0.005) == []
    assert crosssource.worse_groups(figures(1), figures(6), 0.005) == []
    # counted on other rows (another held-out split): the shares, as before
    assert crosssource.worse_groups(figures(3, 40000), figures(2), 0.005) == [
        "held-out english-tweets: spam genuine_rejected 0.0001 vs active 0.0000"]


def test_a_line_drawn_stricter_on_a_held_out_group_is_not_a_worse_model():
    def figures(abusive_held, clean_held, roc=0.80):
        return {"levantine": {"model": {"abuse": {
            "roc_auc": roc, "pr_auc": 0.8, "abusive_held": abusive_held,
            "clean_held": clean_held}}}}

    active = figures(0.70, 0.20)
    # fewer abusive and fewer clean comments kept back: where the line is, not how it ranks
    assert crosssource.worse_groups(figures(0.60, 0.10), active, 0.005) == []
    assert crosssource.worse_groups(figures(0.80, 0.30), active, 0.005) == []
    # fewer abusive kept back for the same clean ones held is worse, as is a worse ranking
    assert crosssource.worse_groups(figures(0.60, 0.20), active, 0.005) == [
        "held-out levantine: abuse abusive_held 0.6000 vs active 0.7000"]
    assert crosssource.worse_groups(figures(0.60, 0.10, roc=0.78), active, 0.005) == [
        "held-out levantine: abuse roc_auc 0.7800 vs active 0.8000"]


def test_a_group_of_several_sources_is_judged_by_its_ranking_within_each_source():
    def figures(pooled, within=None):
        abuse = {"roc_auc": pooled, "pr_auc": pooled, "abusive_held": 0.5, "clean_held": 0.2}
        if within is not None:
            abuse["within_source_roc_auc"] = within
        return {"english-tweets": {"model": {"abuse": abuse}}}

    # pooled lower (the datasets' scores sit closer together), within each source no worse
    assert crosssource.worse_groups(figures(0.52, 0.58), figures(0.55, 0.58), 0.005) == []
    # within each source lower: refused, whatever the pooled figure
    assert crosssource.worse_groups(figures(0.60, 0.55), figures(0.55, 0.58), 0.005) == [
        "held-out english-tweets: abuse within_source_roc_auc 0.5500 vs active 0.5800"]
    # an active model measured before within-source figures existed: pooled, as before
    assert len(crosssource.worse_groups(figures(0.52, 0.58), figures(0.55), 0.005)) == 2
