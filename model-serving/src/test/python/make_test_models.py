"""Builds the small ONNX models the model-serving tests run, with fixed seeds.

Run with Debian's PyTorch:  /usr/bin/python3 model-serving/src/test/python/make_test_models.py
It writes model-serving/src/test/resources/models/. The files are committed (a few KB each) so
the tests need no Python; rerun this script to regenerate them.
"""
import json
import os
import sys

import torch

WINDOW = 4
FEATURES = ["a", "b", "c"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "models")


class WindowScorer(torch.nn.Module):
    """Flattens a [batch, window, features] window and maps it to a score and a 2-value head."""

    def __init__(self, seed):
        super().__init__()
        torch.manual_seed(seed)
        self.hidden = torch.nn.Linear(WINDOW * len(FEATURES), 8)
        self.score = torch.nn.Linear(8, 1)
        self.head = torch.nn.Linear(8, 2)

    def forward(self, window):
        h = torch.tanh(self.hidden(window.reshape(window.shape[0], -1)))
        return self.score(h), torch.sigmoid(self.head(h))


def export(name, version, seed, window=WINDOW, features=FEATURES):
    directory = os.path.join(OUT, name, version)
    os.makedirs(directory, exist_ok=True)
    model = WindowScorer(seed).eval()
    example = torch.zeros(2, WINDOW, len(FEATURES))
    torch.onnx.export(
        model, example, os.path.join(directory, "model.onnx"),
        input_names=["window"], output_names=["score", "probabilities"],
        dynamic_axes={"window": {0: "batch"}, "score": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=13)
    metadata = {
        "name": name,
        "version": version,
        "input": {"name": "window", "window": window, "features": features},
        "outputs": [
            {"name": "score", "size": 1, "meaning": "a test score"},
            {"name": "probabilities", "size": 2, "meaning": "two test probabilities"},
        ],
        "thresholds": {"score-high": 0.5},
        "training": {"data": "none: random weights, seed %d" % seed, "dataSha256": None,
                     "metrics": {}, "command": "/usr/bin/python3 model-serving/src/test/python/make_test_models.py"},
    }
    with open(os.path.join(directory, "model.json"), "w") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")


def write_expected(seed):
    """PyTorch's own outputs for fixed inputs, so the tests can prove ONNX Runtime Java agrees."""
    model = WindowScorer(seed).eval()
    generator = torch.Generator().manual_seed(99)
    inputs = torch.rand(5, WINDOW, len(FEATURES), generator=generator) * 10 - 5
    with torch.no_grad():
        score, probabilities = model(inputs)
    expected = {"inputs": inputs.reshape(5, -1).tolist(),
                "outputs": torch.cat([score, probabilities], dim=1).tolist()}
    with open(os.path.join(OUT, "scorer-1-expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")


def main():
    export("scorer", "1", seed=1)
    write_expected(seed=1)
    export("scorer", "2", seed=2)
    export("other", "1", seed=3)
    # Reads an environment sensor's first three metrics: the node's end-to-end inference test.
    export("env-scorer", "1", seed=5, features=["temperature", "humidity", "co2"])
    # A graph that disagrees with its metadata: the metadata claims a window of 5.
    export("mismatched", "1", seed=4, window=5)
    # A file that is not an ONNX model at all.
    broken = os.path.join(OUT, "broken", "1")
    os.makedirs(broken, exist_ok=True)
    with open(os.path.join(broken, "model.onnx"), "wb") as f:
        f.write(b"this is not an onnx model")
    with open(os.path.join(OUT, "scorer", "1", "model.json")) as f:
        metadata = json.load(f)
    metadata["name"], metadata["version"] = "broken", "1"
    with open(os.path.join(broken, "model.json"), "w") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")
    print("models written to", os.path.normpath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
