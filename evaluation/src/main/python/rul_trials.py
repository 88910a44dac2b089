"""Scores combinations of window lengths, and trajectory fitting, from validation predictions that
train_rul.py saved (--short-window S --save-validation FILE): trials that need no training of
their own (docs/rul-trials.md, fourth round).

    /usr/bin/python3 evaluation/src/main/python/rul_trials.py --seed 2031 s50.npz s70.npz

Each file holds one run's long and short ensembles' predictions on the held-out engines of the
split --seed chose (every window, and the cuts of the test protocol); the runs must share the long
window and seed, so their long ensembles are the same and are checked to be.

Trajectory fitting: the RUL falls by one per cycle until it is capped, so the predictions for the
windows ending at the last K + 1 cycles can be fitted with min(cap, r + k) (k cycles back) by least
squares over r, and r taken as the answer. It is scored here without retraining, using the offsets
whose windows end at cycle 30 or later.
"""
import argparse
import itertools

import numpy as np

from train_rul import CUTS_PER_ENGINE, MIN_WINDOW, RUL_CAP, cut_ends, held_out_engines, nasa_score, read, rmse


def per_engine(values, lives):
    """Splits predictions for every window (ends MIN_WINDOW..life, engine by engine) per engine."""
    out, i = {}, 0
    for unit, life in lives.items():
        n = life - MIN_WINDOW + 1
        out[unit] = values[i:i + n]
        i += n
    if i != len(values):
        raise SystemExit("%d predictions for %d windows: another split or dataset?" % (len(values), i))
    return out


def fitted(predictions, grid):
    """r minimising sum_k (predictions[k] - min(cap, r + k))^2 over the grid; predictions[k] is k cycles back."""
    k = np.arange(len(predictions))
    trajectories = np.minimum(RUL_CAP, grid[:, None] + k[None, :])
    return grid[np.argmin(((predictions[None, :] - trajectories) ** 2).sum(axis=1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", help="--save-validation files of train_rul.py runs")
    parser.add_argument("--data", default="../shared/datasets/cmapss")
    parser.add_argument("--dataset", default="FD001")
    parser.add_argument("--seed", type=int, required=True, help="the runs' --seed (it chose the split)")
    parser.add_argument("--trajectory", default="5,10,20,30", help="offsets K to fit trajectories over")
    args = parser.parse_args()

    runs = [np.load(f) for f in args.files]
    for f, run in zip(args.files, runs):
        if "window" not in run or "short_window" not in run:
            raise SystemExit("%s has no window lengths: not a --save-validation file of this train_rul.py" % f)
        if int(run["window"]) != int(runs[0]["window"]) or not np.allclose(run["long_val"], runs[0]["long_val"]):
            raise SystemExit("%s: its long ensemble differs from %s's: not the same --window and --seed" % (f, args.files[0]))
    y_val, y_cut = runs[0]["y_val"], runs[0]["y_cut"]
    ensembles = {str(int(runs[0]["window"])): (runs[0]["long_val"], runs[0]["long_cut"])}
    for run in runs:
        ensembles[str(int(run["short_window"]))] = (run["short_val"], run["short_cut"])

    print("windows averaged        all windows  last cycle  NASA (per 100 cuts)")
    for n in range(1, len(ensembles) + 1):
        for names in itertools.combinations(ensembles, n):
            p_val = np.mean([ensembles[name][0] for name in names], axis=0)
            p_cut = np.mean([ensembles[name][1] for name in names], axis=0)
            print("%-22s  %11.4f  %10.4f  %6.1f" % (" + ".join(names), rmse(p_val, y_val), rmse(p_cut, y_cut),
                                                    nasa_score(p_cut, y_cut) * 100.0 / len(y_cut)))

    # The split and the cuts as train_rul.py draws them.
    units, _, _ = read("%s/train_%s.txt" % (args.data, args.dataset))
    engines = sorted(set(units.tolist()))
    validation = held_out_engines(engines, args.seed)
    lives = {u: int(np.sum(units == u)) for u in validation}
    cuts = cut_ends(units, validation, args.seed, CUTS_PER_ENGINE)
    grid = np.arange(0, 4 * RUL_CAP + 1) / 4.0
    print("trajectory fit over K + 1 windows (K = 0: the predictions themselves)")
    for name, (p_val, _) in ensembles.items():
        engine_predictions = per_engine(p_val, lives)
        for k in [0] + [int(s) for s in args.trajectory.split(",") if s]:
            every, truth, last, last_truth = [], [], [], []
            for unit, p in engine_predictions.items():
                for end in range(MIN_WINDOW, lives[unit] + 1):
                    i = end - MIN_WINDOW
                    estimate = fitted(p[max(0, i - k):i + 1][::-1], grid) if k else p[i]
                    every.append(estimate)
                    truth.append(min(RUL_CAP, lives[unit] - end))
                    if end in cuts[unit]:
                        for _ in range(int(np.sum(cuts[unit] == end))):
                            last.append(estimate)
                            last_truth.append(min(RUL_CAP, lives[unit] - end))
            every, truth, last, last_truth = map(np.array, (every, truth, last, last_truth))
            print("%-6s K = %2d  all windows %.4f  last cycle %.4f  NASA %.1f"
                  % (name, k, rmse(every, truth), rmse(last, last_truth), nasa_score(last, last_truth) * 100.0 / len(last)))


if __name__ == "__main__":
    main()
