"""Trains FleetPulse's remaining-useful-life model on NASA C-MAPSS and exports it for the registry.

Run with Debian's PyTorch (PyPI is not reachable here):

    /usr/bin/python3 analytics/src/main/python/train_rul.py --data ../shared/datasets/cmapss --dataset FD001

It reads train_<dataset>.txt (and, for FD001, test_FD001.txt and RUL_FD001.txt for the final
report only), trains a 1-D convolutional network on sliding windows of raw cycles and writes
models/rul-<dataset>/<version>/model.onnx and model.json. The graph takes raw values, exactly what
devices send: [batch, window, 24] (3 operating settings, then sensors 1..21), selects the
informative sensors and normalises them inside the graph, and outputs the RUL in cycles.

Model selection uses a validation split of whole training engines (20 %, fixed seed); the test
set is evaluated once, after training, and never used to choose anything.
"""
import argparse
import hashlib
import json
import math
import os
import random
import time

import numpy as np
import torch

COLUMNS = ["setting-1", "setting-2", "setting-3"] + ["sensor-%d" % i for i in range(1, 22)]
# Sensors that vary with degradation in the single-condition sets (the literature's 14); the
# constant ones carry no information and only add noise after normalisation.
INFORMATIVE = ["sensor-%d" % i for i in (2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21)]
WINDOW = 30
RUL_CAP = 125


def read(path):
    rows = np.loadtxt(path)
    return rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2:].astype(np.float32)


def windows_with_targets(units, cycles, values, engines):
    xs, ys = [], []
    for unit in engines:
        mask = units == unit
        v = values[mask]
        life = cycles[mask].max()
        rul = np.minimum(life - cycles[mask], RUL_CAP).astype(np.float32)
        for end in range(WINDOW, len(v) + 1):
            xs.append(v[end - WINDOW:end])
            ys.append(rul[end - 1])
    return np.stack(xs), np.array(ys, dtype=np.float32)


class RulNet(torch.nn.Module):
    """
    Raw [batch, window, 24] -> selected sensors scaled to [-1, 1] with the training set's range ->
    the deep 1-D CNN of Li, Ding and Sun (2018): four convolutions of 10 filters spanning 10
    cycles, one of a single filter spanning 3, tanh, dropout, 100 hidden units -> RUL (cycles).
    """

    def __init__(self, low, high):
        super().__init__()
        self.register_buffer("index", torch.tensor([COLUMNS.index(c) for c in INFORMATIVE], dtype=torch.long))
        self.register_buffer("low", torch.tensor(low, dtype=torch.float32))
        self.register_buffer("span", torch.tensor(np.maximum(high - low, 1e-6), dtype=torch.float32))
        # Explicit padding keeps the window length (ONNX has no 'same' for an even kernel).
        def conv(inputs, outputs, kernel):
            return [torch.nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0),
                    torch.nn.Conv1d(inputs, outputs, kernel_size=kernel), torch.nn.Tanh()]
        self.features = torch.nn.Sequential(
            *conv(len(INFORMATIVE), 10, 10), *conv(10, 10, 10), *conv(10, 10, 10), *conv(10, 10, 10), *conv(10, 1, 3))
        self.head = torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Dropout(0.5),
            torch.nn.Linear(WINDOW, 100), torch.nn.Tanh(),
            torch.nn.Linear(100, 1),
        )
        for module in self.modules():
            if isinstance(module, (torch.nn.Conv1d, torch.nn.Linear)):
                torch.nn.init.xavier_normal_(module.weight)
                torch.nn.init.zeros_(module.bias)

    def forward(self, window):
        x = torch.index_select(window, 2, self.index)
        x = 2 * (x - self.low) / self.span - 1
        x = x.transpose(1, 2)  # [batch, sensors, window]
        return self.head(self.features(x))


class Ensemble(torch.nn.Module):
    """The mean of several networks trained from different seeds: lower variance, one graph."""

    def __init__(self, members):
        super().__init__()
        self.members = torch.nn.ModuleList(members)

    def forward(self, window):
        return torch.stack([m(window) for m in self.members], dim=0).mean(dim=0)


def nasa_score(predicted, true):
    d = predicted - true
    return float(np.sum(np.where(d < 0, np.exp(-d / 13.0) - 1, np.exp(d / 10.0) - 1)))


def rmse(predicted, true):
    return float(np.sqrt(np.mean((predicted - true) ** 2)))


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy().reshape(-1)


def sha256(paths):
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/datasets/cmapss", help="directory of the C-MAPSS text files")
    parser.add_argument("--dataset", default="FD001", choices=["FD001", "FD003"])
    parser.add_argument("--out", default=None, help="registry directory (default models/rul-<dataset>/<version>)")
    parser.add_argument("--version", default="1")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--members", type=int, default=5, help="networks in the ensemble (different seeds)")
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    started = time.time()

    train_path = os.path.join(args.data, "train_%s.txt" % args.dataset)
    units, cycles, values = read(train_path)
    engines = sorted(set(units.tolist()))
    rng = random.Random(args.seed)
    validation = sorted(rng.sample(engines, len(engines) // 5))
    training = [e for e in engines if e not in validation]
    x_train, y_train = windows_with_targets(units, cycles, values, training)
    x_val, y_val = windows_with_targets(units, cycles, values, validation)

    index = [COLUMNS.index(c) for c in INFORMATIVE]
    train_rows = values[np.isin(units, training)][:, index]
    def train_member(seed):
        torch.manual_seed(seed)
        model = RulNet(train_rows.min(axis=0), train_rows.max(axis=0))
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
        scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=max(1, args.epochs * 2 // 3), gamma=0.1)
        loss_fn = torch.nn.MSELoss()
        x_t, y_t = torch.from_numpy(x_train), torch.from_numpy(y_train).unsqueeze(1)
        best, best_state, best_epoch = math.inf, None, -1
        generator = torch.Generator().manual_seed(seed)
        for epoch in range(args.epochs):
            model.train()
            order = torch.randperm(len(x_t), generator=generator)
            for start in range(0, len(order), 512):
                batch = order[start:start + 512]
                optimiser.zero_grad()
                loss = loss_fn(model(x_t[batch]), y_t[batch])
                loss.backward()
                optimiser.step()
            scheduler.step()
            val_rmse = rmse(predict(model, x_val), y_val)
            if val_rmse < best:
                best, best_epoch = val_rmse, epoch
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(best_state)
        model.eval()
        print("member seed %d: best validation RMSE (all windows) %.3f at epoch %d" % (seed, best, best_epoch + 1),
              flush=True)
        return model, best_epoch + 1

    trained = [train_member(args.seed + k) for k in range(args.members)]
    model = Ensemble([m for m, _ in trained]).eval()
    best = rmse(predict(model, x_val), y_val)
    best_epoch = -1
    training_seconds = time.time() - started

    # The registry's metrics are numbers only; the validation engines go into the data description.
    metrics = {
        "validationRmseAllWindows": round(best, 4),
        "members": args.members,
        "epochs": args.epochs,
        "trainingSeconds": round(training_seconds, 1),
    }
    # The validation protocol the test set uses: the last window of each held-out engine, cut at a
    # random point of its life as the test engines are (fixed seed).
    cut_rng = np.random.RandomState(args.seed)
    last_x, last_y = [], []
    for unit in validation:
        v = values[units == unit]
        life = len(v)
        end = cut_rng.randint(WINDOW, life + 1)
        last_x.append(v[end - WINDOW:end])
        last_y.append(min(life - end, RUL_CAP))
    p = predict(model, np.stack(last_x))
    metrics["validationRmseLastCycle"] = round(rmse(p, np.array(last_y, dtype=np.float32)), 4)
    metrics["validationNasaScoreLastCycle"] = round(nasa_score(p, np.array(last_y, dtype=np.float32)), 2)

    data_files = [train_path]
    if args.dataset == "FD001":
        test_path = os.path.join(args.data, "test_FD001.txt")
        rul_path = os.path.join(args.data, "RUL_FD001.txt")
        t_units, _, t_values = read(test_path)
        true = np.minimum(np.loadtxt(rul_path), RUL_CAP).astype(np.float32)
        x_test = np.stack([t_values[t_units == u][-WINDOW:] for u in sorted(set(t_units.tolist()))])
        p = predict(model, x_test)
        metrics["testRmse"] = round(rmse(p, true), 4)
        metrics["testNasaScore"] = round(nasa_score(p, true), 2)
        data_files += [test_path, rul_path]
    print(json.dumps(metrics), flush=True)

    name = "rul-" + args.dataset.lower()
    out = args.out or os.path.join("models", name, args.version)
    os.makedirs(out, exist_ok=True)
    example = torch.zeros(2, WINDOW, len(COLUMNS))
    torch.onnx.export(model, example, os.path.join(out, "model.onnx"), input_names=["window"], output_names=["rul"],
                      dynamic_axes={"window": {0: "batch"}, "rul": {0: "batch"}}, opset_version=13)
    metadata = {
        "name": name,
        "version": args.version,
        "input": {"name": "window", "window": WINDOW, "features": COLUMNS},
        "outputs": [{"name": "rul", "size": 1,
                     "meaning": "remaining useful life in cycles, targets capped at %d" % RUL_CAP}],
        "thresholds": {"rul-cap": RUL_CAP},
        "training": {
            "data": "NASA C-MAPSS %s (train_%s.txt; %d engines, validation engines %s; best epochs %s)"
                    % (args.dataset, args.dataset, len(engines), validation, [e for _, e in trained]),
            "dataSha256": sha256(data_files),
            "metrics": metrics,
            "command": "/usr/bin/python3 analytics/src/main/python/train_rul.py --data ../shared/datasets/cmapss"
                       " --dataset %s --version %s --epochs %d --seed %d --members %d"
                       % (args.dataset, args.version, args.epochs, args.seed, args.members),
        },
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.join(out, "model.onnx"), os.path.getsize(os.path.join(out, "model.onnx"))))


if __name__ == "__main__":
    main()
