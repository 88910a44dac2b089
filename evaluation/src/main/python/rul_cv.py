"""K-fold cross-validation of train_rul.py's recipe over window lengths: every training engine is
held out once, so a choice between windows (or means of them) rests on all of them rather than on
the 20 engines of one validation split (docs/rul-trials.md, fifth round).

    /usr/bin/python3 evaluation/src/main/python/rul_cv.py --windows 100,30 --cv-out cv-a.npz &
    /usr/bin/python3 evaluation/src/main/python/rul_cv.py --windows 50,70 --cv-out cv-b.npz &
    wait
    /usr/bin/python3 evaluation/src/main/python/rul_cv.py --report cv-a.npz cv-b.npz

The engines are shuffled by --seed and dealt into --folds folds. For each fold and window, the
recipe's members (train_rul.py's options: --members, --epochs, ...; the seeds --seed, --seed + 1,
...) are trained on the other folds' engines with their normalisation range and predict the fold's
engines: every window (ends from cycle 30 to the last) and the test protocol's cuts (CUTS_PER_ENGINE
per engine, drawn by --seed as train_rul.py draws them). A run saves its predictions after every
fold (--cv-out), so processes for different windows can share the cores and be combined; the
report scores every window alone and every mean of windows (which is exactly what WindowMean
exports: a window's last S cycles are window_ending(..., S)) pooled over all folds, and the spread
of the last-cycle RMSE over folds.

--tree-windows W adds, per fold, train_rul.py's gradient-boosted trees (--trees of them) on the
statistics of W-cycle windows, as ensemble "tW" (the seventh round of docs/rul-trials.md):

    /usr/bin/python3 evaluation/src/main/python/rul_cv.py --windows "" --trees 500 --tree-windows 70 --cv-out cv-t.npz
"""
import argparse
import itertools
import json
import random
import time

import numpy as np
import torch

from train_rul import (COLUMNS, CUTS_PER_ENGINE, INFORMATIVE, MIN_WINDOW, NOT_RECIPE, argument_parser, nasa_score,
                       predict, read, rmse, train_ensemble, train_trees, truncated_last_windows, windows_with_targets)

# train_rul.py options this script has no use for: it trains one ensemble per --windows entry, no
# pair, exports nothing and never reads the test set
UNUSED = ("window", "short_window", "pairing", "out", "version", "no_test", "validate_only", "swa_report",
          "save_validation", "validation_out", "validation_from")


def folds_of(engines, k, seed):
    """The engines shuffled by seed and dealt into k folds (sizes differ by at most one)."""
    shuffled = list(engines)
    random.Random(seed).shuffle(shuffled)
    return [sorted(shuffled[i::k]) for i in range(k)]


def run(args):
    torch.set_num_threads(args.threads)
    units, cycles, values = read("%s/train_%s.txt" % (args.data, args.dataset))
    engines = sorted(set(units.tolist()))
    index = [COLUMNS.index(c) for c in INFORMATIVE]
    windows = [("w", int(w)) for w in args.windows.split(",") if w]
    windows += [("t", int(w)) for w in args.tree_windows.split(",") if w]
    folds = [int(k) for k in args.fold_list.split(",")] if args.fold_list else list(range(args.folds))
    # what every run to be merged must share (the family, window and fill name each ensemble instead)
    recipe = {k: v for k, v in sorted(vars(args).items())
              if k not in NOT_RECIPE and k not in UNUSED and k not in ("fill", "windows", "fold_list", "cv_out",
                                                                       "report", "threads", "trees", "tree_windows")}
    saved = {"folds": args.folds, "seed": args.seed, "members": args.members, "dataset": args.dataset,
             "recipe": json.dumps(recipe, sort_keys=True)}
    started = time.time()
    for f, held_out in enumerate(folds_of(engines, args.folds, args.seed)):
        if f not in folds:
            continue
        training = [e for e in engines if e not in held_out]
        saved["f%d_engines" % f] = np.array(held_out)
        for family, window in windows:
            recipe = argparse.Namespace(**vars(args))
            recipe.window = window
            label = family + "%d" % window + ("" if args.fill == "first" else "-" + args.fill)
            x, y, _ = windows_with_targets(units, cycles, values, training, window, args.fill)
            x_val, y_val, _ = windows_with_targets(units, cycles, values, held_out, window, args.fill)
            x_cut, y_cut = truncated_last_windows(units, values, held_out, args.seed, CUTS_PER_ENGINE, window,
                                                  args.fill)
            if family == "t":
                statistics, trees = train_trees(x, y, recipe, "fold %d %s" % (f, label))
                answer = lambda xs: trees.predict(statistics.of(xs)).astype(np.float32)
            else:
                model, _ = train_ensemble(x, y, values[np.isin(units, training)][:, index], recipe,
                                          "fold %d %s" % (f, label))
                answer = lambda xs: predict(model, xs)
            saved["f%d_y_val" % f], saved["f%d_y_cut" % f] = y_val, y_cut
            saved["f%d_%s_val" % (f, label)] = answer(x_val)
            saved["f%d_%s_cut" % (f, label)] = answer(x_cut)
            print("fold %d %s: all windows %.4f, last cycle %.4f (%.0f s so far)"
                  % (f, label, rmse(saved["f%d_%s_val" % (f, label)], y_val),
                     rmse(saved["f%d_%s_cut" % (f, label)], y_cut), time.time() - started), flush=True)
            np.savez(args.cv_out, **saved)  # as it goes: a stopped run keeps what it finished


def report(files):
    """Every ensemble (window and fill) of every fold found in the files, merged; the scores of each
    alone and of every mean of them, over the folds all of them have."""
    merged = {}
    for f in files:
        for key, value in np.load(f).items():
            if key in merged and not np.array_equal(merged[key], value):
                raise SystemExit("%s: %s differs from another file's: not the same cross-validation" % (f, key))
            merged[key] = value
    folds = int(merged["folds"])
    labels = sorted({key.split("_")[1] for key in merged if key.startswith("f") and key.endswith("_cut")
                     and key.split("_")[1] not in ("y",)}, key=lambda label: (int(label[1:].split("-")[0]), label))
    complete = [f for f in range(folds) if all("f%d_%s_cut" % (f, label) in merged for label in labels)]
    if not complete:
        raise SystemExit("no fold has every ensemble of %s" % ", ".join(labels))
    print("%s, %d of %d folds (%s), %s members per ensemble; %d engines held out in all"
          % (merged["dataset"], len(complete), folds, ",".join(map(str, complete)), merged["members"],
             sum(len(merged["f%d_engines" % f]) for f in complete)))
    print("ensembles averaged              all windows  last cycle  NASA (per 100 cuts)  last cycle per fold")
    for n in range(1, len(labels) + 1):
        for names in itertools.combinations(labels, n):
            p_val, y_val, p_cut, y_cut, per_fold = [], [], [], [], []
            for f in complete:
                p_val.append(np.mean([merged["f%d_%s_val" % (f, name)] for name in names], axis=0))
                p_cut.append(np.mean([merged["f%d_%s_cut" % (f, name)] for name in names], axis=0))
                y_val.append(merged["f%d_y_val" % f]), y_cut.append(merged["f%d_y_cut" % f])
                per_fold.append(rmse(p_cut[-1], y_cut[-1]))
            p_val, y_val, p_cut, y_cut = map(np.concatenate, (p_val, y_val, p_cut, y_cut))
            print("%-30s  %11.4f  %10.4f  %6.1f               %s"
                  % (" + ".join(names), rmse(p_val, y_val), rmse(p_cut, y_cut),
                     nasa_score(p_cut, y_cut) * 100.0 / len(y_cut), " ".join("%.2f" % r for r in per_fold)))


def main():
    parser = argument_parser(__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5, help="folds of the training engines")
    parser.add_argument("--windows", default="100,50", help="comma-separated window lengths to cross-validate")
    parser.add_argument("--tree-windows", default="",
                        help="comma-separated window lengths to cross-validate --trees gradient-boosted trees on")
    parser.add_argument("--fold-list", default="", help="comma-separated folds this run trains (default: all)")
    parser.add_argument("--cv-out", default="rul-cv.npz", help="where this run's predictions go")
    parser.add_argument("--report", nargs="+", metavar="NPZ", help="score the runs in these files instead of training")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    defaults = parser.parse_args([])
    unused = ["--" + k.replace("_", "-") for k in UNUSED if getattr(args, k) != getattr(defaults, k)]
    if unused:
        parser.error("%s: not used by the cross-validation (it trains one ensemble per --windows entry and exports"
                     " nothing)" % ", ".join(unused))
    if args.folds < 2:
        parser.error("--folds must be at least 2, not %d" % args.folds)
    short = [w for w in (args.windows + "," + args.tree_windows).split(",") if w and int(w) < MIN_WINDOW]
    if short:
        parser.error("every window must be at least %d cycles, not %s" % (MIN_WINDOW, ", ".join(short)))
    if args.tree_windows and args.trees < 1:
        parser.error("--tree-windows fits --trees trees per fold: give --trees")
    if not args.windows and not args.tree_windows:
        parser.error("nothing to cross-validate: give --windows or --tree-windows")
    if args.fold_list and any(not 0 <= int(k) < args.folds for k in args.fold_list.split(",")):
        parser.error("--fold-list takes folds 0 to %d, not %s" % (args.folds - 1, args.fold_list))
    run(args)


if __name__ == "__main__":
    main()
