"""Pruning metrics of an exported model, against counts worked out by hand."""

import numpy as np
import pytest

from fwprune.metrics import pruning_metrics
from fwprune.model import build_model

# Output positions per kernel weight: conv1 26x26, conv2 11x11, dense once.
FLOPS = {"conv1": 288 * 26 * 26, "conv2": 18_432 * 11 * 11, "dense": 16_000}
PARAMETERS = {"conv1": 288 + 32, "conv2": 18_432 + 64, "dense": 16_000 + 10}


@pytest.fixture
def model():
    model = build_model()
    model.set_weights([np.ones_like(w) for w in model.get_weights()])
    return model


def zero_kernel_fraction(model, layer_name: str, fraction: float) -> int:
    layer = model.get_layer(layer_name)
    kernel, bias = layer.get_weights()
    zeros = round(fraction * kernel.size)
    kernel.reshape(-1)[:zeros] = 0.0
    layer.set_weights([kernel, bias])
    return zeros


def test_dense_model_is_uncompressed(model):
    row = pruning_metrics(model)
    assert row["sparsity"] == 0.0 and row["nonzero_fraction"] == 1.0
    assert row["compression_ratio"] == 1.0 and row["theoretical_speedup"] == 1.0
    assert row["prunable_weights"] == 34_720 and row["nonzero_parameters"] == 34_826


def test_half_pruned_dense_layer(model):
    zeros = zero_kernel_fraction(model, "dense", 0.5)
    row = pruning_metrics(model)
    assert row["dense_sparsity"] == 0.5 and row["conv1_sparsity"] == 0.0
    assert row["dense_compression"] == PARAMETERS["dense"] / (PARAMETERS["dense"] - zeros)
    assert row["dense_speedup"] == 2.0 and row["conv2_speedup"] == 1.0
    assert row["zero_weights"] == zeros and row["sparsity"] == zeros / 34_720
    assert row["compression_ratio"] == 34_826 / (34_826 - zeros)
    total = sum(FLOPS.values())
    assert row["theoretical_speedup"] == pytest.approx(total / (total - FLOPS["dense"] / 2))


def test_convolution_flops_count_every_output_position(model):
    zero_kernel_fraction(model, "conv2", 0.75)
    row = pruning_metrics(model)
    assert row["conv2_speedup"] == 4.0
    total = sum(FLOPS.values())
    assert row["theoretical_speedup"] == pytest.approx(total / (total - 0.75 * FLOPS["conv2"]))
