"""Trains FleetPulse's remaining-useful-life model on NASA C-MAPSS and exports it for the registry.

Run with Debian's PyTorch (PyPI is not reachable here):

    /usr/bin/python3 evaluation/src/main/python/train_rul.py --data ../shared/datasets/cmapss --dataset FD001

It reads train_<dataset>.txt (and, for FD001, test_FD001.txt and RUL_FD001.txt for the final
report only), trains an ensemble of 1-D convolutional networks on sliding windows of raw cycles and
writes models/rul-<dataset>/<version>/model.onnx and model.json. The graph takes raw values, exactly
what devices send: [batch, window, 24] (3 operating settings, then sensors 1..21), selects the
informative sensors and normalises them inside the graph, and outputs the RUL in cycles.

A window (--window cycles) ends at every cycle from the 30th (MIN_WINDOW) on; until an engine has
run a whole window, its first cycle repeated fills the front (--fill first), or the mean of its
first 30 cycles (--fill mean: the engine's state before the window without one cycle's sensor
noise, which a fill repeated 70 times turns into a history the engine never had; a trial option:
with three members it was worse on validation, docs/rul-trials.md's fifth round). The node fills a
device's first windows the same way (the model's "min-window" and "fill-rows" in model.json, the
binding's), so a long window costs no early predictions: a device is predicted from its 30th cycle
whatever the window.

With --short-window S, two ensembles are trained with one recipe: one on windows of --window
cycles and one on windows of S cycles (no filling), and the exported graph answers a filled
window (one whose first two cycles are identical: the fill) with the short ensemble on its last S
cycles, and a whole window with the long one. An engine that has run fewer cycles than the window
is then predicted from what it really reported, not from a history made up of its first cycle.
The graph still takes [batch, window, 24]; validation scores the pair exactly as it is exported.
With --pairing mean the graph averages both ensembles on every window instead (the short one on
the window's last S cycles, filled exactly as its own training windows were). Version 4 is that
mean of a 100-cycle and a 50-cycle ensemble (--window 100 --short-window 50 --pairing mean):
on two validation splits, where which window was better alone changed with the split, the mean
was better at the last cycle than the better one (docs/rul-trials.md).

With --trees N, N gradient-boosted trees (scikit-learn, TREE_SETTINGS) are fitted to summary
statistics of the window (WindowStatistics: levels and slopes of each informative sensor, computed
in the graph from the raw window) and averaged with the networks, each ensemble weighing the same:
a model of another family errs differently from the CNNs. The trees go into the same ONNX graph as
ONNX-ML's TreeEnsembleRegressor (attach_trees). Version 6 is version 5's pair with 500 trees
(--trees 500): better than version 5's recipe on each of three cross-validation folds
(docs/rul-trials.md, seventh round). --trees needs Debian's python3-sklearn and python3-onnx.

Two phases, one recipe (fixed epochs and learning-rate schedule, no early stopping):

1. validation: the members are trained on 80 % of the training engines (fixed seed) and their
   ensemble is scored on the 20 held-out engines: every window ("all windows"), and the protocol
   of the test set, the last window of an engine cut at a random point of its life, drawn
   CUTS_PER_ENGINE times per held-out engine (fixed seed) so that the number is not the noise of
   20 draws. The residual standard deviations (predicted - true capped RUL, over the windows whose
   true RUL is below the cap, where the truth is not the cap itself) give the serving side a
   probability of failure within a horizon;
2. refit: the same members (same seeds, epochs and schedule) are trained again on all training
   engines, with the normalisation range of all of them; that ensemble is exported.

The recipe options (--arch, --filters, --kernel, --activation, --dropout, --noise, --weighting,
--swa-start) default to the committed recipe; they exist for validation trials (--no-test
--validate-only: the validation phase only, no refit, no export, no test set). Every choice of the
recipe was made on the validation engines; the test set is evaluated once, at
the very end, after the exported model is fixed, and never used to choose anything (--no-test
skips it, for trial runs).

The two phases are independent; on two cores they can run as two processes of one thread each,
which halves the wall time and gives the same model and metrics:

    train_rul.py <recipe> --validate-only --validation-out v.json &
    train_rul.py <recipe> --validation-from v.json

(the second refits and exports, then waits for v.json and refuses one written for another recipe).
"""
import argparse
import functools
import hashlib
import json
import os
import random
import time

import numpy as np
import torch

COLUMNS = ["setting-1", "setting-2", "setting-3"] + ["sensor-%d" % i for i in range(1, 22)]
# Sensors that vary with degradation in the single-condition sets (the literature's 14); the
# constant ones carry no information and only add noise after normalisation.
INFORMATIVE = ["sensor-%d" % i for i in (2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21)]
# A device's first prediction comes after this many cycles (the shortest FD001 test engine has 31).
# A model window longer than that is filled at the front with the engine's first cycle until the
# engine has run a whole window: the node does the same (its binding's min-window).
MIN_WINDOW = 30
# --fill mean fills a short history's window with the mean of the engine's first this many cycles.
FILL_CYCLES = MIN_WINDOW
# recipe options whose defaults are version 2's recipe; the others are named in the command and metrics
RECIPE_DEFAULTS = {"window": 30, "short_window": 0, "pairing": "filled", "fill": "first", "arch": "cnn", "filters": 10, "kernel": 10, "activation": "tanh", "dropout": 0.5, "noise": 0.0,
                   "weighting": "none", "swa_start": 0, "trees": 0}
# options that do not change what is trained (where it goes, what is reported, how phases are run)
NOT_RECIPE = {"data", "out", "version", "no_test", "validate_only", "swa_report", "save_validation", "validation_out",
              "validation_from", "validation_wait"}
RUL_CAP = 125
CUTS_PER_ENGINE = 25
# --trees: the gradient-boosted trees' settings (scikit-learn's GradientBoostingRegressor, squared
# error), fixed before any trial with them (docs/rul-trials.md, seventh round); --trees sets how many
TREE_SETTINGS = {"max_depth": 3, "learning_rate": 0.05, "subsample": 0.8, "min_samples_leaf": 20}
# --trees: the window statistics per informative sensor, in this order (WindowStatistics)
STATISTICS = ("mean of the last 5 cycles", "mean of the last 30 cycles", "mean of the window",
              "least-squares slope over the last 30 cycles", "least-squares slope over the window")


def read(path):
    rows = np.loadtxt(path)
    return rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2:].astype(np.float32)


def window_ending(v, end, window, fill="first"):
    """The window of an engine's cycles v that ends with cycle `end` (1-based), filled at the front
    when the engine has run fewer than `window` cycles: with its first cycle (fill "first"), or with
    the mean of its first FILL_CYCLES cycles (fill "mean": the engine's state before the window
    without one cycle's sensor noise; end is at least MIN_WINDOW, so they are all in the window)."""
    if end >= window:
        return v[end - window:end]
    if fill == "first":
        front = v[:1]
    elif end >= FILL_CYCLES:
        # summed in double and rounded to float once, as the node does (ReadingRing, CmapssFile)
        front = v[:FILL_CYCLES].astype(np.float64).mean(axis=0, keepdims=True).astype(v.dtype)
    else:
        raise ValueError("a window filled with the mean of %d cycles ends at cycle %d or later, not %d"
                         % (FILL_CYCLES, FILL_CYCLES, end))
    return np.concatenate([np.repeat(front, window - end, axis=0), v[:end]])


def windows_with_targets(units, cycles, values, engines, window, fill="first"):
    xs, ys, us = [], [], []
    for unit in engines:
        mask = units == unit
        v = values[mask]
        life = cycles[mask].max()
        rul = np.minimum(life - cycles[mask], RUL_CAP).astype(np.float32)
        for end in range(MIN_WINDOW, len(v) + 1):
            xs.append(window_ending(v, end, window, fill))
            ys.append(rul[end - 1])
            us.append(unit)
    return np.stack(xs), np.array(ys, dtype=np.float32), np.array(us)


def held_out_engines(engines, seed):
    """The validation split: a fifth of the engines, drawn by seed."""
    return sorted(random.Random(seed).sample(engines, len(engines) // 5))


def cut_ends(units, engines, seed, cuts):
    """The test protocol on training engines: per engine (in order), `cuts` cycles drawn uniformly
    by seed from MIN_WINDOW to its life, where it is cut."""
    rng = np.random.RandomState(seed)
    return {unit: rng.randint(MIN_WINDOW, int(np.sum(units == unit)) + 1, size=cuts) for unit in engines}


def truncated_last_windows(units, values, engines, seed, cuts, window, fill="first"):
    """The last window before each cut (cut_ends) and the capped RUL there."""
    xs, ys = [], []
    for unit, ends in cut_ends(units, engines, seed, cuts).items():
        v = values[units == unit]
        life = len(v)
        for end in ends:
            xs.append(window_ending(v, end, window, fill))
            ys.append(min(life - end, RUL_CAP))
    return np.stack(xs), np.array(ys, dtype=np.float32)


class ScaledInput(torch.nn.Module):
    """
    What every network here starts with: raw [batch, window, 24] -> the informative sensors scaled
    to [-1, 1] with the training set's range, inside the graph (the node feeds raw values); with
    Gaussian noise added in training when noise > 0 (augmentation, not in the exported graph).
    """

    def __init__(self, low, high, noise=0.0):
        super().__init__()
        self.noise = noise
        self.register_buffer("index", torch.tensor([COLUMNS.index(c) for c in INFORMATIVE], dtype=torch.long))
        self.register_buffer("low", torch.tensor(low, dtype=torch.float32))
        self.register_buffer("span", torch.tensor(np.maximum(high - low, 1e-6), dtype=torch.float32))

    def scaled(self, window):
        """[batch, window, sensors], scaled."""
        x = 2 * (torch.index_select(window, 2, self.index) - self.low) / self.span - 1
        if self.training and self.noise > 0:
            x = x + self.noise * torch.randn_like(x)
        return x


class RulNet(ScaledInput):
    """
    Raw [batch, window, 24] -> selected sensors scaled to [-1, 1] with the training set's range ->
    the deep 1-D CNN of Li, Ding and Sun (2018): four convolutions of 10 filters spanning 10
    cycles, one of a single filter spanning 3, tanh, dropout, 100 hidden units -> RUL (cycles).
    """

    def __init__(self, low, high, window, filters=10, kernel=10, activation="tanh", noise=0.0, dropout=0.5):
        super().__init__(low, high, noise)
        act = torch.nn.Tanh if activation == "tanh" else torch.nn.ReLU
        # Explicit padding keeps the window length (ONNX has no 'same' for an even kernel).
        def conv(inputs, outputs, kernel):
            return [torch.nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0),
                    torch.nn.Conv1d(inputs, outputs, kernel_size=kernel), act()]
        self.features = torch.nn.Sequential(
            *conv(len(INFORMATIVE), filters, kernel), *conv(filters, filters, kernel), *conv(filters, filters, kernel),
            *conv(filters, filters, kernel), *conv(filters, 1, 3))
        self.head = torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Dropout(dropout),
            torch.nn.Linear(window, 100), torch.nn.Tanh(),
            torch.nn.Linear(100, 1),
        )
        for module in self.modules():
            if isinstance(module, (torch.nn.Conv1d, torch.nn.Linear)):
                torch.nn.init.xavier_normal_(module.weight)
                torch.nn.init.zeros_(module.bias)

    def forward(self, window):
        x = self.scaled(window).transpose(1, 2)  # [batch, sensors, window]
        return self.head(self.features(x))


class TcnNet(ScaledInput):
    """
    Raw [batch, window, 24] -> the same selection and scaling as RulNet -> a dilated causal temporal
    convolutional network (residual blocks of two kernel-3 convolutions, dilations 1, 2, 4, 8, so
    the last step sees 61 > window cycles) -> the last step's channels -> RUL (cycles).
    """

    def __init__(self, low, high, channels=32, noise=0.0, dropout=0.2):
        super().__init__(low, high, noise)
        self.blocks = torch.nn.ModuleList()
        inputs = len(INFORMATIVE)
        for dilation in (1, 2, 4, 8):
            block = torch.nn.ModuleDict({
                "body": torch.nn.Sequential(
                    torch.nn.ConstantPad1d((2 * dilation, 0), 0.0),
                    torch.nn.Conv1d(inputs, channels, 3, dilation=dilation), torch.nn.ReLU(), torch.nn.Dropout(dropout),
                    torch.nn.ConstantPad1d((2 * dilation, 0), 0.0),
                    torch.nn.Conv1d(channels, channels, 3, dilation=dilation), torch.nn.ReLU(), torch.nn.Dropout(dropout)),
                "skip": torch.nn.Conv1d(inputs, channels, 1) if inputs != channels else torch.nn.Identity(),
            })
            self.blocks.append(block)
            inputs = channels
        self.head = torch.nn.Sequential(torch.nn.Linear(channels, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))

    def forward(self, window):
        x = self.scaled(window).transpose(1, 2)
        for block in self.blocks:
            x = torch.relu(block["body"](x) + block["skip"](x))
        return self.head(x[:, :, -1])


class AttentionNet(ScaledInput):
    """
    Raw [batch, window, 24] -> the same selection and scaling as RulNet -> a small transformer
    encoder (each cycle projected to `width` features plus a learned position embedding, two
    self-attention layers of 4 heads) -> the cycles' features averaged -> RUL (cycles).
    """

    def __init__(self, low, high, window, width=32, dropout=0.1, noise=0.0):
        super().__init__(low, high, noise)
        self.project = torch.nn.Linear(len(INFORMATIVE), width)
        self.position = torch.nn.Parameter(torch.zeros(1, window, width))
        layer = torch.nn.TransformerEncoderLayer(width, 4, dim_feedforward=2 * width, dropout=dropout, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2)
        self.head = torch.nn.Sequential(torch.nn.Linear(width, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))

    def forward(self, window):
        x = self.encoder(self.project(self.scaled(window)) + self.position)
        return self.head(x.mean(dim=1))


class Ensemble(torch.nn.Module):
    """The mean of several networks trained from different seeds: lower variance, one graph."""

    def __init__(self, members):
        super().__init__()
        self.members = torch.nn.ModuleList(members)

    def forward(self, window):
        return torch.stack([m(window) for m in self.members], dim=0).mean(dim=0)


class Paired(torch.nn.Module):
    """Two ensembles of different windows in one graph (--short-window): the long one reads the
    whole window, the short one its last `short` cycles (which are window_ending(v, end, short):
    filled exactly as its own training windows were)."""

    def __init__(self, short_model, long_model, short):
        super().__init__()
        self.short_model = short_model
        self.long_model = long_model
        self.short = short

    def halves(self, window):
        return self.short_model(window[:, -self.short:, :]), self.long_model(window)


class WindowMean(Paired):
    """--pairing mean: the mean of both ensembles on every window."""

    def forward(self, window):
        short, long = self.halves(window)
        return (short + long) / 2


class ByHistory(Paired):
    """
    --pairing filled: a window whose first two cycles are identical was filled at the front
    (window_ending repeats an engine's first cycle; real consecutive cycles never repeat all 24
    values) and gets the short ensemble's answer, from its last `short` cycles, which are all real
    (the min-window is at least the short window); a whole window gets the long ensemble's. Both run
    on every window (a select, not a branch, so the graph has no control flow).
    """

    def forward(self, window):
        filled = (window[:, 0, :] - window[:, 1, :]).abs().amax(dim=1, keepdim=True) == 0
        short, long = self.halves(window)
        return torch.where(filled, short, long)


class WindowStatistics(torch.nn.Module):
    """
    Raw [batch, window, 24] -> the STATISTICS of the window (levels over 5, 30 and all its cycles,
    slopes over 30 and all) of each informative sensor, [batch, 5 * sensors], statistic by statistic:
    linear in the window, so one matrix product. Computed in double and rounded to float once, so
    the tree splits (which compare floats) see the same value in PyTorch and in ONNX Runtime whatever
    order either sums in. The weights multiply from the left: ONNX Runtime would fuse a transpose of
    the window into the product, and its fused product has no double kernel.
    """

    def __init__(self, window):
        super().__init__()
        def slope(n):
            t = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
            return t / np.sum(t * t)
        weights = np.zeros((window, len(STATISTICS)))
        weights[-5:, 0], weights[-30:, 1], weights[:, 2] = 1 / 5.0, 1 / 30.0, 1.0 / window
        weights[-30:, 3], weights[:, 4] = slope(30), slope(window)
        self.register_buffer("index", torch.tensor([COLUMNS.index(c) for c in INFORMATIVE], dtype=torch.long))
        self.register_buffer("weights", torch.tensor(weights.T.copy(), dtype=torch.float64))  # [5, window]

    def forward(self, window):
        sensors = torch.index_select(window, 2, self.index).double()  # [batch, window, sensors]
        return torch.matmul(self.weights, sensors).reshape(window.shape[0], -1).float()  # [batch, 5 * sensors]

    def of(self, x):
        with torch.no_grad():
            return self(torch.from_numpy(x)).numpy()


class WithTrees(torch.nn.Module):
    """
    --trees: the networks' answer (one ensemble, or a WindowMean's two) averaged with gradient-boosted
    trees on the window's statistics, each ensemble weighing the same: (ensembles * networks + trees)
    / (ensembles + 1). A different family of model errs differently from the CNNs
    (docs/rul-trials.md, seventh round). forward() is what is exported before the trees are attached
    to the graph (attach_trees): the networks' answer and the statistics; answer() is the whole model.
    """

    def __init__(self, networks, statistics, trees):
        super().__init__()
        self.networks = networks
        self.statistics = statistics
        self.trees = trees  # scikit-learn's fitted GradientBoostingRegressor
        # a WindowMean answers with two ensembles' mean; one ensemble, or ByHistory's choice of one, is one
        self.ensembles = 2 if isinstance(networks, WindowMean) else 1

    def forward(self, window):
        return self.networks(window), self.statistics(window)

    def answer(self, x):
        networks = predict(self.networks, x)
        trees = self.trees.predict(self.statistics.of(x))
        return ((self.ensembles * networks + trees) / (self.ensembles + 1)).astype(np.float32)


def train_trees(x, y, args, label, weights=None):
    """args.trees gradient-boosted trees (TREE_SETTINGS, random_state args.seed) on the statistics of
    windows x (WindowStatistics of args.window cycles), targets y."""
    from sklearn.ensemble import GradientBoostingRegressor  # Debian's python3-sklearn; only --trees needs it
    started = time.time()
    statistics = WindowStatistics(args.window)
    features = statistics.of(x)
    trees = GradientBoostingRegressor(loss="squared_error", n_estimators=args.trees, random_state=args.seed,
                                      **TREE_SETTINGS)
    trees.fit(features, y, sample_weight=weights)
    print("%s trees: training RMSE %.3f, %.0f s"
          % (label, rmse(trees.predict(features), y), time.time() - started), flush=True)
    return statistics, trees


def float_at_or_below(threshold):
    """The largest float at or below a tree's double threshold: for every float x, x <= it exactly
    when x <= threshold (scikit-learn compares float features with double thresholds)."""
    t = np.float32(threshold)
    return float(t if t <= threshold else np.nextafter(t, np.float32(-np.inf)))


def attach_trees(path, model, x):
    """Rewrites the graph torch exported from a WithTrees (outputs "networks" and "statistics") into
    the whole model: ONNX-ML's TreeEnsembleRegressor on the statistics, then the weighted mean, as
    the one output "rul". Checks the converted trees against scikit-learn's own predictions on the
    statistics of windows x."""
    import onnx  # Debian's python3-onnx; only --trees needs it
    from onnx import helper
    trees = model.trees
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
                         "nodes_truenodeids", "nodes_falsenodeids", "target_treeids", "target_nodeids",
                         "target_ids", "target_weights")}
    for t, estimator in enumerate(trees.estimators_[:, 0]):
        tree = estimator.tree_
        for node in range(tree.node_count):
            leaf = tree.children_left[node] == -1
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(node)
            a["nodes_featureids"].append(0 if leaf else int(tree.feature[node]))
            a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            a["nodes_values"].append(0.0 if leaf else float_at_or_below(tree.threshold[node]))
            a["nodes_truenodeids"].append(0 if leaf else int(tree.children_left[node]))
            a["nodes_falsenodeids"].append(0 if leaf else int(tree.children_right[node]))
            if leaf:
                a["target_treeids"].append(t)
                a["target_nodeids"].append(node)
                a["target_ids"].append(0)
                a["target_weights"].append(float(trees.learning_rate * tree.value[node][0][0]))
    base = float(np.asarray(trees.init_.constant_).reshape(-1)[0])
    graph = onnx.load(path)
    g = graph.graph
    k = float(model.ensembles)
    g.node.extend([
        helper.make_node("TreeEnsembleRegressor", ["statistics"], ["trees"], domain="ai.onnx.ml", n_targets=1,
                         aggregate_function="SUM", post_transform="NONE", base_values=[base], **a),
        helper.make_node("Constant", [], ["networks_weight"], value=helper.make_tensor("w", 1, [], [k / (k + 1)])),
        helper.make_node("Constant", [], ["trees_weight"], value=helper.make_tensor("v", 1, [], [1 / (k + 1)])),
        helper.make_node("Mul", ["networks", "networks_weight"], ["networks_part"]),
        helper.make_node("Mul", ["trees", "trees_weight"], ["trees_part"]),
        helper.make_node("Add", ["networks_part", "trees_part"], ["rul"]),
    ])
    networks_output = next(o for o in g.output if o.name == "networks")
    rul = onnx.ValueInfoProto()
    rul.CopyFrom(networks_output)
    rul.name = "rul"
    del g.output[:]
    g.output.append(rul)
    graph.opset_import.append(helper.make_opsetid("ai.onnx.ml", 1))
    onnx.checker.check_model(graph)
    # the converted trees, evaluated as ONNX-ML defines them (float features, float thresholds)
    probe = model.statistics.of(x)
    node_of = {(t, n): i for i, (t, n) in enumerate(zip(a["nodes_treeids"], a["nodes_nodeids"]))}
    weight_of = {(t, n): w for t, n, w in zip(a["target_treeids"], a["target_nodeids"], a["target_weights"])}
    ours = np.full(len(probe), base)
    for row, features in enumerate(probe):
        for t in range(len(trees.estimators_)):
            i = node_of[(t, 0)]
            while a["nodes_modes"][i] != "LEAF":
                go = features[a["nodes_featureids"][i]] <= np.float32(a["nodes_values"][i])
                i = node_of[(t, a["nodes_truenodeids"][i] if go else a["nodes_falsenodeids"][i])]
            ours[row] += weight_of[(t, a["nodes_nodeids"][i])]
    if not np.allclose(ours, trees.predict(probe), atol=1e-3):
        raise SystemExit("the converted trees disagree with scikit-learn: %s" % np.abs(ours - trees.predict(probe)).max())
    onnx.save(graph, path)


def nasa_score(predicted, true):
    d = predicted - true
    return float(np.sum(np.where(d < 0, np.exp(-d / 13.0) - 1, np.exp(d / 10.0) - 1)))


def rmse(predicted, true):
    return float(np.sqrt(np.mean((predicted - true) ** 2)))


def residual_sd(predicted, true):
    """Standard deviation of predicted - true over the samples whose true RUL is below the cap."""
    below = true < RUL_CAP
    return float(np.std(predicted[below] - true[below], ddof=1))


def predict(model, x):
    if isinstance(model, WithTrees):
        return model.answer(x)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy().reshape(-1)


def sha256(paths):
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def train_ensemble(x, y, rows, args, label, weights=None, extra_swa_starts=()):
    """Trains args.members networks (seeds args.seed, args.seed + 1, ...) on windows x, targets y,
    normalised with the range of rows: Adam, batches of args.batch, args.epochs epochs, the learning
    rate divided by 10 after args.lr_drop epochs (Li et al.'s schedule). Fixed epochs, no early
    stopping, so the validation phase scores exactly what the refit phase exports."""
    low, high = rows.min(axis=0), rows.max(axis=0)
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y).unsqueeze(1)
    w_t = None if weights is None else torch.from_numpy(weights.astype(np.float32)).unsqueeze(1)
    loss_fn = torch.nn.MSELoss()
    members = []
    # diagnostics (validation phase): the plain last-epoch members and averages from other epochs,
    # from the same training runs (averaging does not change the trajectory)
    variants = {}
    starts = sorted(set(([args.swa_start] if args.swa_start > 0 else []) + list(extra_swa_starts)))
    for k in range(args.members):
        seed = args.seed + k
        started = time.time()
        torch.manual_seed(seed)
        if args.arch == "tcn":
            model = TcnNet(low, high, channels=args.filters, noise=args.noise)
        elif args.arch == "attention":
            model = AttentionNet(low, high, args.window, width=args.filters, noise=args.noise)
        else:
            model = RulNet(low, high, args.window, filters=args.filters, kernel=args.kernel, activation=args.activation,
                           noise=args.noise, dropout=args.dropout)
        averaged = {s: torch.optim.swa_utils.AveragedModel(model) for s in starts}
        optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
        scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=args.lr_drop, gamma=0.1)
        generator = torch.Generator().manual_seed(seed)
        for epoch in range(args.epochs):
            model.train()
            order = torch.randperm(len(x_t), generator=generator)
            total = 0.0
            for start in range(0, len(order), args.batch):
                batch = order[start:start + args.batch]
                optimiser.zero_grad()
                if w_t is None:
                    loss = loss_fn(model(x_t[batch]), y_t[batch])
                else:
                    loss = (w_t[batch] * (model(x_t[batch]) - y_t[batch]) ** 2).mean()
                loss.backward()
                optimiser.step()
                total += loss.item() * len(batch)
            scheduler.step()
            if epoch == 4 and k == 0:
                print("%s: %.2f s per epoch" % (label, (time.time() - started) / 5), flush=True)
            for s, average in averaged.items():
                if epoch + 1 > s:  # the weights after epochs s+1 .. epochs
                    average.update_parameters(model)
        model.eval()
        print("%s member seed %d: training RMSE (dropout on, last epoch) %.3f, %.0f s"
              % (label, seed, (total / len(order)) ** 0.5, time.time() - started), flush=True)
        variants.setdefault("last-epoch", []).append(model)
        for s, average in averaged.items():
            variants.setdefault("swa-after-%d" % s, []).append(average.module.eval())
        members.append(averaged[args.swa_start].module.eval() if args.swa_start > 0 else model)
    return Ensemble(members).eval(), {name: Ensemble(ms).eval() for name, ms in variants.items()}


def sample_weights(units_of_windows, mode):
    """None (every window weighs the same), or weights of mean 1: 'engine' makes every engine weigh
    the same in total (the test protocol cuts each engine once)."""
    if mode == "none":
        return None
    counts = {u: c for u, c in zip(*np.unique(units_of_windows, return_counts=True))}
    w = np.array([1.0 / counts[u] for u in units_of_windows])
    return w / w.mean()


def with_short_ensemble(long_model, variants, units, cycles, values, engines, index, args, label, held_out=None):
    """The long ensemble paired with a short one trained on the same engines (--short-window): the
    exported model (ByHistory or WindowMean, --pairing) and its diagnostic variants; given the
    validation windows and cuts (held_out: x_val, y_val, x_cut, y_cut), each half and the other
    pairing are scored on them (and saved with --save-validation)."""
    short_args = argparse.Namespace(**vars(args))
    short_args.window = args.short_window
    x_short, y_short, u_short = windows_with_targets(units, cycles, values, engines, args.short_window, args.fill)
    short_model, _ = train_ensemble(x_short, y_short, values[np.isin(units, engines)][:, index], short_args,
                                    label + " short", sample_weights(u_short, args.weighting))
    if held_out is not None:
        x_val, y_val, x_cut, y_cut = held_out
        filled = np.all(x_val[:, 0, :] == x_val[:, 1, :], axis=1)
        halves = (("long ensemble alone", long_model), ("short ensemble alone", short_model),
                  ("the other pairing", (WindowMean if args.pairing == "filled" else ByHistory)(
                      short_model, long_model, args.short_window).eval()))
        saved = {"y_val": y_val, "y_cut": y_cut, "filled": filled, "window": args.window,
                 "short_window": args.short_window}
        for name, half in halves:
            x = x_val[:, -args.short_window:, :] if half is short_model else x_val
            xc = x_cut[:, -args.short_window:, :] if half is short_model else x_cut
            p, pc = predict(half, x), predict(half, xc)
            if half is long_model or half is short_model:
                key = "long" if half is long_model else "short"
                saved[key + "_val"], saved[key + "_cut"] = p, pc
            print("validation diagnostic %s: all windows %.4f (filled %d: %.4f, whole %d: %.4f), last cycle %.4f, NASA %.1f"
                  % (name, rmse(p, y_val), filled.sum(), rmse(p[filled], y_val[filled]), (~filled).sum(),
                     rmse(p[~filled], y_val[~filled]), rmse(pc, y_cut), nasa_score(pc, y_cut) * 100.0 / len(y_cut)),
                  flush=True)
        if args.save_validation:
            np.savez(args.save_validation, **saved)
    pairing = ByHistory if args.pairing == "filled" else WindowMean
    paired = {name: pairing(short_model, variant, args.short_window).eval() for name, variant in variants.items()}
    return pairing(short_model, long_model, args.short_window).eval(), paired


def validation_phase(args, units, cycles, values, validation, training, index):
    """Phase 1: members that never saw the validation engines, scored on them; the metrics."""
    x_train, y_train, u_train = windows_with_targets(units, cycles, values, training, args.window, args.fill)
    extra = [int(s) for s in args.swa_report.split(",") if s]
    held_out, variants = train_ensemble(
        x_train, y_train, values[np.isin(units, training)][:, index], args, "validation",
        sample_weights(u_train, args.weighting), extra)
    x_val, y_val, _ = windows_with_targets(units, cycles, values, validation, args.window, args.fill)
    x_cut, y_cut = truncated_last_windows(units, values, validation, args.seed, CUTS_PER_ENGINE, args.window,
                                          args.fill)
    if args.short_window:
        held_out, variants = with_short_ensemble(held_out, variants, units, cycles, values, training, index, args,
                                                 "validation", (x_val, y_val, x_cut, y_cut))
    diagnostics = {}  # name -> its predictions for a batch of windows
    if args.trees:
        statistics, trees = train_trees(x_train, y_train, args, "validation", sample_weights(u_train, args.weighting))
        held_out = WithTrees(held_out, statistics, trees)
        diagnostics["networks alone"] = functools.partial(predict, held_out.networks)
        diagnostics["trees alone"] = lambda x: trees.predict(statistics.of(x))
    diagnostics.update((name, functools.partial(predict, variant)) for name, variant in sorted(variants.items()))
    for name, answer in diagnostics.items():
        pv, pc = answer(x_val), answer(x_cut)
        print("validation diagnostic %s: all windows %.4f, last cycle %.4f, NASA %.1f"
              % (name, rmse(pv, y_val), rmse(pc, y_cut), nasa_score(pc, y_cut) * 100.0 / len(y_cut)), flush=True)
    p_val, p_cut = predict(held_out, x_val), predict(held_out, x_cut)
    # The registry's metrics are numbers only; the validation engines go into the data description.
    metrics = {
        "validationRmseAllWindows": round(rmse(p_val, y_val), 4),
        # the test protocol, CUTS_PER_ENGINE cuts per held-out engine; the NASA score is summed
        # per 100 cuts, comparable with the 100-engine test score
        "validationRmseLastCycle": round(rmse(p_cut, y_cut), 4),
        "validationNasaScoreLastCycle": round(nasa_score(p_cut, y_cut) * 100.0 / len(y_cut), 2),
        "residualSd": round(residual_sd(p_val, y_val), 4),
        "residualSdLastCycle": round(residual_sd(p_cut, y_cut), 4),
        "validationCutsPerEngine": CUTS_PER_ENGINE,
        "members": args.members,
        "epochs": args.epochs,
        "learningRateDropEpoch": args.lr_drop,
        "batch": args.batch,
    }
    # The registry reads metrics as numbers: a named choice (--arch, --pairing, ...) is in the command only.
    for key, default in RECIPE_DEFAULTS.items():
        value = getattr(args, key)
        if value != default and isinstance(value, (int, float)):
            metrics[key.replace("_", "-")] = value
    print("validation (%d held-out engines): %s" % (len(validation), json.dumps(metrics)), flush=True)
    return metrics


def validation_from(path, recipe, parser, wait_hours):
    """The validation metrics and seconds a --validation-out run of the same recipe wrote to path,
    waiting for them while that run goes on (at most wait_hours: a run that died writes nothing)."""
    if not os.path.exists(path):
        print("waiting for %s" % path, flush=True)
    deadline = time.time() + wait_hours * 3600
    while not os.path.exists(path):
        if time.time() > deadline:
            parser.error("%s did not appear within %g h: did its --validate-only --validation-out run fail? Nothing"
                         " was exported" % (path, wait_hours))
        time.sleep(30)
    with open(path) as f:
        saved = json.load(f)
    if saved["recipe"] != recipe:
        parser.error("%s was written for another recipe: %s, not %s" % (path, saved["recipe"], recipe))
    print("validation (from %s): %s" % (path, json.dumps(saved["metrics"])), flush=True)
    return saved["metrics"], saved["seconds"]


def argument_parser(description=None):
    """The recipe's options and this script's (rul_cv.py adds its own to them)."""
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/datasets/cmapss", help="directory of the C-MAPSS text files")
    parser.add_argument("--dataset", default="FD001", choices=["FD001", "FD003"])
    parser.add_argument("--out", default=None, help="registry directory (default models/rul-<dataset>/<version>)")
    parser.add_argument("--version", default="2")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate")
    parser.add_argument("--lr-drop", type=int, default=150, help="epochs before the learning rate is divided by 10")
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--members", type=int, default=3, help="networks in the ensemble (different seeds)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (results are reproducible per count)")
    parser.add_argument("--no-test", action="store_true", help="do not evaluate the FD001 test set (trial runs)")
    parser.add_argument("--validate-only", action="store_true",
                        help="stop after the validation phase: no refit, no export (trial runs)")
    parser.add_argument("--window", type=int, default=30,
                        help="cycles per model window (at least %d; shorter histories are filled with the first cycle)" % MIN_WINDOW)
    parser.add_argument("--short-window", type=int, default=0,
                        help="also train an ensemble on windows of this many cycles and answer filled windows with it"
                             " (0: none; between %d and --window)" % MIN_WINDOW)
    parser.add_argument("--pairing", default="filled", choices=["filled", "mean"],
                        help="with --short-window: filled (the short ensemble answers filled windows) or mean"
                             " (the mean of both on every window)")
    parser.add_argument("--fill", default="first", choices=["first", "mean"],
                        help="what fills the front of a window longer than the engine's history: its first cycle"
                             " repeated, or the mean of its first %d cycles" % FILL_CYCLES)
    parser.add_argument("--arch", default="cnn", choices=["cnn", "tcn", "attention"],
                        help="cnn: Li, Ding and Sun's 1-D CNN; tcn: a dilated temporal convolutional network")
    parser.add_argument("--filters", type=int, default=10, help="convolution filters (tcn: channels)")
    parser.add_argument("--kernel", type=int, default=10, help="cnn: cycles spanned by the first four convolutions")
    parser.add_argument("--activation", default="tanh", choices=["tanh", "relu"], help="cnn: activation")
    parser.add_argument("--dropout", type=float, default=0.5, help="cnn: dropout before the hidden layer")
    parser.add_argument("--noise", type=float, default=0.0,
                        help="standard deviation of Gaussian noise added to the scaled inputs in training (0: none)")
    parser.add_argument("--weighting", default="none", choices=["none", "engine"],
                        help="engine: every training engine weighs the same in the loss")
    parser.add_argument("--trees", type=int, default=0,
                        help="also fit this many gradient-boosted trees on the window's statistics and average them"
                             " with the networks (0: none; needs Debian's python3-sklearn and python3-onnx)")
    parser.add_argument("--swa-start", type=int, default=0,
                        help="export the average of the weights after each epoch past this one (0: the last epoch's)")
    parser.add_argument("--swa-report", default="",
                        help="validation diagnostics: comma-separated further averaging starts to score")
    parser.add_argument("--save-validation", default="",
                        help="with --short-window: save both ensembles' validation predictions to this .npz (trials"
                             " combining more windows offline)")
    parser.add_argument("--validation-out", default="",
                        help="write the validation phase's metrics and recipe to this JSON file")
    parser.add_argument("--validation-from", default="",
                        help="skip the validation phase: take its metrics from a --validation-out file of the same"
                             " recipe (run the two phases as two processes, one per core)")
    parser.add_argument("--validation-wait", type=float, default=3.0,
                        help="with --validation-from: hours to wait for the file after the refit")
    return parser


def main():
    parser = argument_parser()
    args = parser.parse_args()
    if args.window < MIN_WINDOW:
        parser.error("--window must be at least %d (a device's first prediction comes after that many cycles), not %d"
                     % (MIN_WINDOW, args.window))
    if args.short_window and not MIN_WINDOW <= args.short_window < args.window:
        parser.error("--short-window must be between %d and --window (%d), not %d"
                     % (MIN_WINDOW, args.window, args.short_window))
    if args.validation_from and (args.validate_only or args.validation_out or args.save_validation):
        parser.error("--validation-from skips the validation phase: it does not go with --validate-only,"
                     " --validation-out or --save-validation")
    if args.trees < 0:
        parser.error("--trees must be 0 (none) or more, not %d" % args.trees)
    if args.save_validation and not args.short_window:
        parser.error("--save-validation saves both ensembles' predictions: it needs --short-window")
    if args.arch == "attention" and args.filters % 4:
        parser.error("--arch attention has 4 heads: --filters (its width) must be a multiple of 4, not %d" % args.filters)

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    train_path = os.path.join(args.data, "train_%s.txt" % args.dataset)
    units, cycles, values = read(train_path)
    engines = sorted(set(units.tolist()))
    validation = held_out_engines(engines, args.seed)
    training = [e for e in engines if e not in validation]
    index = [COLUMNS.index(c) for c in INFORMATIVE]

    # Phase 1: validation. With --validation-from, the metrics of a --validate-only run of the same
    # recipe (--validation-out), read once the refit is done: both phases run at once, one process
    # per core.
    recipe = {k: v for k, v in sorted(vars(args).items()) if k not in NOT_RECIPE}
    if not args.validation_from:
        metrics = validation_phase(args, units, cycles, values, validation, training, index)
        validation_seconds = time.time() - started
        print("validation phase %.0f s" % validation_seconds, flush=True)
        if args.validation_out:
            with open(args.validation_out + ".part", "w") as f:
                json.dump({"recipe": recipe, "metrics": metrics, "seconds": round(validation_seconds, 1)}, f, indent=2)
            os.replace(args.validation_out + ".part", args.validation_out)  # whole or absent for the refit's process
        if args.validate_only:
            return
    elif os.path.exists(args.validation_from):
        validation_from(args.validation_from, recipe, parser, 0)  # a file of another recipe: refuse before the refit
    refit_started = time.time()

    # Phase 2: refit on every training engine with the same recipe; this ensemble is exported.
    x_all, y_all, u_all = windows_with_targets(units, cycles, values, engines, args.window, args.fill)
    model, _ = train_ensemble(x_all, y_all, values[:, index], args, "refit",
                              sample_weights(u_all, args.weighting))
    if args.short_window:
        model, _ = with_short_ensemble(model, {}, units, cycles, values, engines, index, args, "refit")
    if args.trees:
        statistics, trees = train_trees(x_all, y_all, args, "refit", sample_weights(u_all, args.weighting))
        model = WithTrees(model, statistics, trees)
    refit_seconds = time.time() - refit_started
    if args.validation_from:
        metrics, validation_seconds = validation_from(args.validation_from, recipe, parser, args.validation_wait)
    metrics["refitEngines"] = len(engines)
    metrics["trainingSeconds"] = round(validation_seconds + refit_seconds, 1)  # both phases, however they ran

    name = "rul-" + args.dataset.lower()
    out = args.out or os.path.join("models", name, args.version)
    os.makedirs(out, exist_ok=True)
    example = torch.zeros(2, args.window, len(COLUMNS))
    # a WithTrees exports the networks' answer and the statistics; attach_trees then makes them "rul"
    outputs = ["networks", "statistics"] if isinstance(model, WithTrees) else ["rul"]
    torch.onnx.export(model, example, os.path.join(out, "model.onnx"), input_names=["window"], output_names=outputs,
                      dynamic_axes={name: {0: "batch"} for name in ["window"] + outputs}, opset_version=13)
    if isinstance(model, WithTrees):
        attach_trees(os.path.join(out, "model.onnx"), model, x_all[::max(1, len(x_all) // 512)])

    # Everything is fixed and exported; only now the test set (FD001 has one), once.
    data_files = [train_path]
    if args.dataset == "FD001" and not args.no_test:
        test_path = os.path.join(args.data, "test_FD001.txt")
        rul_path = os.path.join(args.data, "RUL_FD001.txt")
        t_units, _, t_values = read(test_path)
        true = np.minimum(np.loadtxt(rul_path), RUL_CAP).astype(np.float32)
        x_test = np.stack([window_ending(t_values[t_units == u], int(np.sum(t_units == u)), args.window, args.fill)
                           for u in sorted(set(t_units.tolist()))])
        p = predict(model, x_test)
        metrics["testRmse"] = round(rmse(p, true), 4)
        metrics["testNasaScore"] = round(nasa_score(p, true), 2)
        data_files += [test_path, rul_path]
    print(json.dumps(metrics), flush=True)

    command = ("/usr/bin/python3 evaluation/src/main/python/train_rul.py --data ../shared/datasets/cmapss"
               " --dataset %s --version %s --epochs %d --lr %g --lr-drop %d --batch %d --seed %d --members %d"
               " --threads %d" % (args.dataset, args.version, args.epochs, args.lr, args.lr_drop, args.batch,
                                  args.seed, args.members, args.threads))
    for key, default in RECIPE_DEFAULTS.items():
        if getattr(args, key) != default:
            command += " --%s %s" % (key.replace("_", "-"), getattr(args, key))
    if args.no_test:
        command += " --no-test"
    metadata = {
        "name": name,
        "version": args.version,
        # min-window: from that many cycles on, the model also takes windows filled at the front
        # (see window_ending)
        # fill-rows: such a window's front is the mean of the engine's first fill-rows cycles (1: its first cycle)
        "input": {"name": "window", "window": args.window, "min-window": MIN_WINDOW,
                  "fill-rows": FILL_CYCLES if args.fill == "mean" else 1, "features": COLUMNS},
        "outputs": [{"name": "rul", "size": 1,
                     "meaning": "remaining useful life in cycles, targets capped at %d" % RUL_CAP}],
        # residual-sd: standard deviation of (predicted - true) RUL below the cap, on held-out
        # engines, for a probability of failure within a horizon (normal residuals)
        "thresholds": {"rul-cap": RUL_CAP, "residual-sd": metrics["residualSd"]},
        "training": {
            "data": "NASA C-MAPSS %s (train_%s.txt; %d engines; validation metrics from members trained without"
                    " validation engines %s; exported members refit on all %d engines)%s"
                    % (args.dataset, args.dataset, len(engines), validation, len(engines),
                       "; no %s test set here" % args.dataset if args.dataset != "FD001" else ""),
            "dataSha256": sha256(data_files),
            "metrics": metrics,
            "command": command,
        },
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.join(out, "model.onnx"), os.path.getsize(os.path.join(out, "model.onnx"))))


if __name__ == "__main__":
    main()
