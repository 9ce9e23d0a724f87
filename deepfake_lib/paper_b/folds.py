"""Paper B's CNN-RNN on the demo benchmark's identity folds (notebook B3, sections "Every
video tested: identity folds" and "Tuned against untuned, every video").

Every video is scored once per seed by a :func:`deepfake_lib.paper_b.cnn_rnn.run_unit` run
trained on the other folds, which never hold its identity (:func:`fold_units`); the runs'
scores are gathered per seed (:func:`out_of_fold`), summarised with intervals over
identities (:func:`fold_summary`, :func:`fold_report`), and two configurations run on the
same folds and seeds are compared paired (:func:`fold_comparison`,
:func:`comparison_report`).
"""

from __future__ import annotations

import numpy as np

from deepfake_lib.core import dispatch, stats


def fold_units(clips, hp: dict, seeds, prep: dict, fit_kw: dict) -> list[dict]:
    """One :func:`~deepfake_lib.paper_b.cnn_rnn.run_unit` unit per seed and identity fold
    of ``clips`` (seed-major): every video is scored once per seed, by a model that never
    saw its identity. Notebook B3, section "Every video tested: identity folds"."""
    folds = sorted(set(clips.folds[clips.folds >= 0].tolist()))
    if len(folds) < 2:
        raise ValueError(f"identity folds need at least two folds, the clips have {folds} "
                         "(the demo benchmark's manifest has five; real datasets have none)")
    return [{"seed": int(s), "fold": int(k), "hp": hp, "prep": prep, "fit": fit_kw}
            for s in seeds for k in folds]


def run_folds(clips, hp: dict, seeds, prep: dict, fit_kw: dict, *, run, timer: str,
              system: str) -> tuple[list[dict], list[dict]]:
    """The :func:`fold_units` of one configuration, run by
    :func:`deepfake_lib.core.dispatch.map_units`; their seconds go under ``run.timing[timer]``
    and their optimizer steps and examples under ``system``
    (:meth:`deepfake_lib.core.results.Run.fit_cost`). Returns ``(units, outs)``. Notebook B3,
    sections "Every video tested: identity folds" and "Tuned against untuned, every video"."""
    from deepfake_lib.paper_b.cnn_rnn import run_unit

    units = fold_units(clips, hp, seeds, prep, fit_kw)
    with run.timed(timer):
        outs = dispatch.map_units(run_unit, units, shared=clips, desc=timer, progress=False)
    cost = {k: sum(o["cost"][k] for o in outs) for k in ("steps", "examples")}
    run.fit_cost(system, fits=len(outs), seconds=run.timing[timer], **cost)
    return units, outs


def out_of_fold(units: list[dict], outs: list[dict]) -> dict:
    """The out-of-fold video scores of :func:`fold_units`' runs, gathered per seed:
    ``{"video": ids (V,), "y": (V,), "p": (V, n_seeds), "seeds": [...]}``, videos in the
    order of the first seed's folds. Raises ``ValueError`` if a video is scored twice in a
    seed or a seed misses a video another seed has. Notebook B3, section "Every video
    tested: identity folds"."""
    per_seed: dict[int, dict[str, tuple[float, int]]] = {}
    for u, o in zip(units, outs):
        got = per_seed.setdefault(int(u["seed"]), {})
        for v, p, y in zip(o["scores"]["video"], o["scores"]["p"], o["scores"]["y"]):
            if v in got:
                raise ValueError(f"video {v} is scored by two folds of seed {u['seed']}")
            got[v] = (float(p), int(y))
    seeds = list(per_seed)
    videos = list(per_seed[seeds[0]])
    for s in seeds[1:]:
        if set(per_seed[s]) != set(videos):
            raise ValueError(f"seed {s} scores other videos than seed {seeds[0]}")
    return {"video": videos, "y": np.array([per_seed[seeds[0]][v][1] for v in videos]),
            "p": np.array([[per_seed[s][v][0] for s in seeds] for v in videos]),
            "seeds": seeds}


def fold_summary(units: list[dict], outs: list[dict], identity: dict, fold_of: dict,
                 choice_folds=(), n_boot: int = 1000, seed: int = 0,
                 donor: dict | None = None) -> dict:
    """What the identity-fold runs of :func:`fold_units` say (notebook B3, section "Every
    video tested: identity folds").

    ``identity`` and ``fold_of`` map a video id to its identity and its fold;
    ``choice_folds`` are the folds whose labels scored the configurations (B2's validation
    split); ``donor`` (optional) maps a face-swap video to its donor identity. Returns
    ``{"all", "without_choice_folds"}`` (the mean AUC over seeds with its
    interval over identities, resampled once for all seeds:
    :func:`deepfake_lib.core.stats.mean_auc_interval`), ``"per_seed"`` (each seed's
    :func:`~deepfake_lib.core.stats.auc_interval`), ``"over_seeds"`` (mean, sd and
    t-interval of the per-seed AUCs: :func:`~deepfake_lib.core.stats.summarise`),
    ``"identities"``, ``"videos"`` and ``"loss"`` (the per-epoch training loss of every
    run, its first and last epoch's mean, the last epoch's range, and how many runs ended
    below ln 2 - 0.01: :func:`~deepfake_lib.core.stats.left_ln2`). Raises ``ValueError``
    if a video is scored twice in a seed, a seed misses a video, a video of ``fold_of``
    with a fold is never scored, a video has no identity, or an identity (as a video's own
    or as a donor) stands in two folds.
    """
    oof = out_of_fold(units, outs)
    missing = [v for v in oof["video"] if v not in identity or v not in fold_of]
    if missing:
        raise ValueError(f"{len(missing)} scored videos have no identity or fold, e.g. "
                         f"{missing[:3]}")
    unscored = sorted(set(v for v, f in fold_of.items() if f >= 0) - set(oof["video"]))
    if unscored:
        raise ValueError(f"{len(unscored)} videos of a fold were never scored, e.g. "
                         f"{unscored[:3]}")
    home: dict[str, set] = {}
    for v in oof["video"]:
        home.setdefault(str(identity[v]), set()).add(fold_of[v])
        if donor and donor.get(v) is not None:
            home.setdefault(str(donor[v]), set()).add(fold_of[v])
    split_up = sorted(i for i, f in home.items() if len(f) > 1)
    if split_up:
        raise ValueError(f"identities in more than one fold (a model would test a face it "
                         f"trained on): {split_up[:5]}")
    groups = np.array([str(identity[v]) for v in oof["video"]])
    keep = np.array([fold_of[v] not in set(choice_folds) for v in oof["video"]])
    per_seed = [stats.auc_interval(oof["y"], oof["p"][:, j], groups=groups, n_boot=n_boot,
                                   seed=seed) for j in range(len(oof["seeds"]))]
    loss = np.array([o["loss"] for o in outs], dtype=float)            # runs x epochs
    return {
        "all": stats.mean_auc_interval(oof["y"], oof["p"], groups, n_boot=n_boot, seed=seed),
        "without_choice_folds": stats.mean_auc_interval(
            oof["y"][keep], oof["p"][keep], groups[keep], n_boot=n_boot, seed=seed),
        "per_seed": per_seed,
        "over_seeds": stats.summarise([a["auc"] for a in per_seed], bounds=(0.0, 1.0)),
        "seeds": oof["seeds"], "videos": len(oof["video"]),
        "folds": len({int(u["fold"]) for u in units}),
        "identities": {"all": int(np.unique(groups).size),
                       "without_choice_folds": int(np.unique(groups[keep]).size)},
        "loss": {"per_run": loss.tolist(), "first_epoch_mean": float(loss[:, 0].mean()),
                 "last_epoch_mean": float(loss[:, -1].mean()),
                 "last_epoch_range": [float(loss[:, -1].min()), float(loss[:, -1].max())],
                 "runs_below_ln2": stats.left_ln2(loss[:, -1]), "runs": len(loss)},
    }


def fold_comparison(tuned: tuple[list, list], untuned: tuple[list, list], identity: dict,
                    fold_of: dict | None = None, subsets: dict | None = None,
                    n_boot: int = 1000, seed: int = 0) -> dict:
    """PSO's choice against the untuned configuration on every video (notebook B3, section
    "Tuned against untuned, every video"): ``tuned`` and ``untuned`` are ``(units, outs)`` of
    :func:`fold_units` runs with the same seeds and folds; ``identity`` maps a video id to
    its identity, the unit the paired bootstrap resamples
    (:func:`~deepfake_lib.core.stats.paired_mean_auc_difference`).

    Returns ``{"tuned", "untuned"}`` (each :func:`~deepfake_lib.core.stats.mean_auc_interval`
    on every video, its per-seed AUCs and its runs' last-epoch losses), ``"difference"``
    (tuned - untuned on every video), ``"per_seed"`` (each seed's AUC difference),
    ``"subsets"`` (``{name: difference}`` on the videos whose fold, by ``fold_of``, is in
    ``subsets[name]``, a set of folds) and ``"seeds"``. Raises ``ValueError`` if the two
    scored other videos or other seeds."""
    from sklearn.metrics import roc_auc_score

    a, b = out_of_fold(*tuned), out_of_fold(*untuned)
    if set(a["video"]) != set(b["video"]) or a["seeds"] != b["seeds"]:
        raise ValueError("tuned and untuned runs must score the same videos with the same "
                         f"seeds (seeds {a['seeds']} and {b['seeds']})")
    order = {v: i for i, v in enumerate(b["video"])}
    pb = b["p"][[order[v] for v in a["video"]]]
    groups = np.array([str(identity[v]) for v in a["video"]])

    def diff(mask):
        return stats.paired_mean_auc_difference(a["y"][mask], a["p"][mask], pb[mask],
                                                groups[mask], n_boot=n_boot, seed=seed)

    every = np.ones(len(groups), bool)
    out = {"seeds": a["seeds"], "difference": diff(every), "subsets": {
        name: diff(np.array([fold_of[v] in set(keep) for v in a["video"]]))
        for name, keep in (subsets or {}).items()}}
    for name, p, outs in (("tuned", a["p"], tuned[1]), ("untuned", pb, untuned[1])):
        last = [float(o["loss"][-1]) for o in outs]
        out[name] = {**stats.mean_auc_interval(a["y"], p, groups, n_boot=n_boot, seed=seed),
                     "per_seed": [float(roc_auc_score(a["y"], p[:, j]))
                                  for j in range(p.shape[1])],
                     "last_loss": last, "runs_below_ln2": stats.left_ln2(last)}
    out["per_seed"] = [t - u for t, u in zip(out["tuned"]["per_seed"],
                                             out["untuned"]["per_seed"])]
    return out


def comparison_report(comp: dict, tuned_hp: dict, untuned_hp: dict) -> str:
    """:func:`fold_comparison` as text (notebook B3, section "Tuned against untuned, every
    video")."""
    def line(label, d):
        verdict = {True: "tuned better", False: "untuned better"}.get(d["better"],
                                                                     "not decided")
        return (f"{label}: {d['diff']:+.3f} ({d['ci_low']:+.3f}, {d['ci_high']:+.3f}), "
                f"{d['n']} videos, {d['method']}: {verdict}")

    out = []
    for name, hp in (("tuned", tuned_hp), ("untuned", untuned_hp)):
        a = comp[name]
        out.append(f"{name:8s} mean AUC over {a['fits']} seeds {a['auc']:.3f} "
                   f"({a['ci_low']:.3f}-{a['ci_high']:.3f}), {a['n']} videos; learned: "
                   f"{stats.learned_word(a['above_chance'])}; runs below ln 2: "
                   f"{a['runs_below_ln2']} of {len(a['last_loss'])}  {hp}")
    out.append(line("tuned - untuned, every video", comp["difference"]))
    out.append("  per seed: " + ", ".join(f"seed {s} {d:+.3f}" for s, d in
                                            zip(comp["seeds"], comp["per_seed"])))
    out += [line(f"  {name}", d) for name, d in comp["subsets"].items()]
    return "\n".join(out)


def pso_evidence(comp: dict, b2: dict | None, unread: str | None = None) -> dict:
    """The claims-dashboard record of :func:`fold_comparison` for "PSO optimized the
    parameters of the CNN-RNN" (notebook B3, section "Tuned against untuned, every video"):
    ``{"claim", "holds", "ours", "detail", "units"}`` with what was tested spelled out: the
    swarm B2 ran (``b2``, B2's results payload, or None), the folds whose labels chose
    something, every subset, the runs that left ln 2. ``holds`` and ``units`` (identities
    resampled) are read on ``comp["subsets"][unread]``, the videos whose labels no choice
    read, when given; else on every video."""
    every, t, u = comp["difference"], comp["tuned"], comp["untuned"]
    d = comp["subsets"][unread] if unread else every
    pso = "PSO of notebook B2"
    if b2 is not None:
        v = b2["values"]
        pso = (f"B2's PSO: {v['pso']['swarm']} particles x {v['pso']['iters']} iterations "
               f"(paper 15 x 8), fitness trainings of {b2['params']['pso_epochs']} epochs, "
               f"one swarm run, {v['pso_distinct_val_accuracies']} distinct validation "
               f"accuracies in {v['pso']['trained']} trainings")
    parts = {"every video": every, **comp["subsets"]}
    numbers = "; ".join(f"{k} ({s['n']} videos): {s['diff']:+.3f} ({s['ci_low']:+.3f}, "
                        f"{s['ci_high']:+.3f})" for k, s in parts.items())
    read_on = f"the verdict reads {unread}, whose labels no choice read" if unread else \
        "the verdict reads every video"
    detail = (f"demo benchmark, not Celeb-DF or DFDC; tests the book's demo-scale tuner, not "
              f"the paper's PSO. {pso}. Training settings chosen on B2's validation fold "
              f"with the untuned configuration, PSO's candidates scored on the same fold; "
              f"{read_on}. Tuned - untuned mean video AUC over seeds {comp['seeds']}, out "
              f"of fold, {d['method']}: {numbers}. Runs leaving ln 2: tuned "
              f"{t['runs_below_ln2']}/{len(t['last_loss'])}, untuned "
              f"{u['runs_below_ln2']}/{len(u['last_loss'])}")
    return {"claim": "PSO's choice beats the untuned centre configuration (the book's "
                     "demo-scale PSO)", "holds": d["better"], "ours": d, "detail": detail,
            "units": d["units"]}


def fold_report(folds: dict, single_split: dict | None = None, controls: dict | None = None
                ) -> str:
    """:func:`fold_summary` as text (notebook B3, section "Every video tested: identity
    folds"): the mean AUC over seeds on all videos and without the choice folds, the
    interval's width beside the single split's (``single_split``, a
    :func:`~deepfake_lib.core.stats.mean_auc_interval`), each seed, the mean +- sd over
    seeds, the controls (``{name: auc_interval}``, :func:`deepfake_lib.demo.controls.d1_aucs`;
    a line saying so when there are none) and the training loss against ln 2."""
    def iv(a):
        return f"{a['auc']:.3f} ({a['ci_low']:.3f}-{a['ci_high']:.3f})"

    out = []
    for key, label in (("all", "all videos"), ("without_choice_folds",
                                               "without the choice fold")):
        a = folds[key]
        out.append(f"{label:24s} {a['n']:3d} videos of {folds['identities'][key]:2d} "
                   f"identities: mean AUC over {a['fits']} seeds {iv(a)}; "
                   f"learned: {stats.learned_word(a['above_chance'])}")
    if single_split is not None:
        def width(a):
            w = a["ci_high"] - a["ci_low"]
            return "no interval" if np.isnan(w) else f"{w:.3f}"

        out.append(f"interval width: {width(folds['all'])} over the folds, "
                   f"{width(single_split)} on the single split ({single_split['n']} videos)")
    out += [f"  seed {s}: AUC {iv(a)}" for s, a in zip(folds["seeds"], folds["per_seed"])]
    o = folds["over_seeds"]
    if o["n"] > 1:
        out.append(f"  over seeds: {o['mean']:.3f} +- {o['sd']:.3f} (mean +- sd, n = {o['n']})")
    if controls:
        out += [f"control {k:9s} (D1, same folds): AUC {iv(v)}" for k, v in controls.items()]
    else:
        out.append("controls: D1 has not run on this manifest in this profile")
    lo, hi = folds["loss"]["last_epoch_range"]
    out.append(f"training loss (mean of {folds['loss']['runs']} runs): first epoch "
               f"{folds['loss']['first_epoch_mean']:.3f}, last epoch "
               f"{folds['loss']['last_epoch_mean']:.3f} (range {lo:.3f}-{hi:.3f}); "
               f"ln 2 = {np.log(2):.3f}; runs that ended below ln 2 - {stats.LN2_MARGIN:g}: "
               f"{folds['loss']['runs_below_ln2']} of {folds['loss']['runs']}")
    return "\n".join(out)
