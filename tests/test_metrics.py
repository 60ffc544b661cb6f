"""Pruning metrics of an exported model, against counts worked out by hand."""

import numpy as np
import pytest

from fwprune.metrics import pruning_metrics, size_metrics
from fwprune.model import build_model, prunable_layers

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
    row = pruning_metrics(model, build_model())
    assert row["sparsity"] == 0.0 and row["nonzero_fraction"] == 1.0
    assert row["compression_ratio"] == 1.0 and row["theoretical_speedup"] == 1.0
    assert row["prunable_weights"] == 34_720 and row["nonzero_parameters"] == 34_826


def test_half_pruned_dense_layer(model):
    zeros = zero_kernel_fraction(model, "dense", 0.5)
    row = pruning_metrics(model, build_model())
    assert row["dense_sparsity"] == 0.5 and row["conv1_sparsity"] == 0.0
    assert row["dense_compression"] == PARAMETERS["dense"] / (PARAMETERS["dense"] - zeros)
    assert row["dense_speedup"] == 2.0 and row["conv2_speedup"] == 1.0
    assert row["zero_weights"] == zeros and row["sparsity"] == zeros / 34_720
    assert row["compression_ratio"] == 34_826 / (34_826 - zeros)
    total = sum(FLOPS.values())
    assert row["theoretical_speedup"] == pytest.approx(total / (total - FLOPS["dense"] / 2))


def test_convolution_flops_count_every_output_position(model):
    zero_kernel_fraction(model, "conv2", 0.75)
    row = pruning_metrics(model, build_model())
    assert row["conv2_speedup"] == 4.0
    total = sum(FLOPS.values())
    assert row["theoretical_speedup"] == pytest.approx(total / (total - 0.75 * FLOPS["conv2"]))


def test_a_filter_pruned_model_is_measured_against_the_base(model):
    """conv1 keeps 16 of 32 filters, conv2 32 of 64: removed weights count as zeros."""
    from fwprune.export import physical_model

    masks = [np.ones(layer.kernel.shape, bool) for layer in prunable_layers(model)]
    masks[0][..., 16:] = False
    masks[1][:, :, 16:, :] = False
    masks[1][..., 32:] = False
    masks[2][np.arange(1600) % 64 >= 32, :] = False
    row = pruning_metrics(physical_model(model, masks), build_model())
    kept = {"conv1": 9 * 16, "conv2": 9 * 16 * 32, "dense": 25 * 32 * 10}
    physical = (kept["conv1"] + 16) + (kept["conv2"] + 32) + (kept["dense"] + 10)
    assert row["filters_removed"] == 0.5
    assert row["zero_weights"] == 34_720 - sum(kept.values())
    assert row["conv2_sparsity"] == 1 - kept["conv2"] / 18_432
    assert row["physical_parameters"] == physical == row["nonzero_parameters"]
    assert row["physical_parameter_ratio"] == physical / 34_826
    small_flops = kept["conv1"] * 26 * 26 + kept["conv2"] * 11 * 11 + kept["dense"]
    assert row["physical_flops"] == small_flops
    assert row["theoretical_speedup"] == pytest.approx(sum(FLOPS.values()) / small_flops)


def test_an_unstructured_model_keeps_its_physical_size(model):
    zero_kernel_fraction(model, "conv2", 0.5)
    row = pruning_metrics(model, build_model())
    assert row["physical_parameters"] == 34_826 and row["physical_flops_ratio"] == 1.0
    assert row["filters_removed"] == 0.0


def test_file_sizes_and_their_ratios(tmp_path):
    dense, sparse = tmp_path / "dense.bin", tmp_path / "sparse.bin"
    rng = np.random.default_rng(0)
    dense.write_bytes(rng.bytes(4000))
    sparse.write_bytes(rng.bytes(1000) + bytes(3000))
    row = size_metrics(sparse, dense)
    assert row["model_bytes"] == 4000 and row["model_bytes_ratio"] == 1.0
    assert row["model_gzip_bytes"] < 1100 and row["model_gzip_ratio"] < 0.3
