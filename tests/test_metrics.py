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


# LeNet-5 (fwprune/networks/lenet5.py) by hand: conv1 5x5x1x6 on a "same"-padded 28x28
# input, 28x28 outputs; pool to 14x14; conv2 5x5x6x16, 10x10 outputs; pool to 5x5x16 = 400
# inputs of dense1; then 120 -> 84 -> 10.
LENET_KERNELS = {
    "conv1": 5 * 5 * 1 * 6,
    "conv2": 5 * 5 * 6 * 16,
    "dense1": 400 * 120,
    "dense2": 120 * 84,
    "dense3": 84 * 10,
}
LENET_BIASES = {"conv1": 6, "conv2": 16, "dense1": 120, "dense2": 84, "dense3": 10}
LENET_POSITIONS = {"conv1": 28 * 28, "conv2": 10 * 10, "dense1": 1, "dense2": 1, "dense3": 1}
LENET_FLOPS = {name: LENET_KERNELS[name] * LENET_POSITIONS[name] for name in LENET_KERNELS}


@pytest.fixture
def lenet():
    model = build_model("lenet5")
    model.set_weights([np.ones_like(w) for w in model.get_weights()])
    return model


def test_lenet_counts_and_columns_follow_its_layers(lenet):
    assert [layer.name for layer in prunable_layers(lenet)] == list(LENET_KERNELS)
    row = pruning_metrics(lenet, build_model("lenet5"))
    assert row["prunable_weights"] == sum(LENET_KERNELS.values()) == 61_470
    assert row["nonzero_parameters"] == 61_470 + sum(LENET_BIASES.values()) == 61_706
    assert {column for column in row if column.endswith("_speedup")} == {
        f"{name}_speedup" for name in [*LENET_KERNELS, "theoretical"]
    }


def test_lenet_same_padded_convolution_counts_every_input_sized_output(lenet):
    zeros = zero_kernel_fraction(lenet, "conv1", 0.5)  # 75 of 150 weights
    row = pruning_metrics(lenet, build_model("lenet5"))
    assert row["conv1_sparsity"] == 0.5 and row["conv1_speedup"] == 2.0
    assert row["conv1_compression"] == (150 + 6) / (150 + 6 - zeros)
    total = sum(LENET_FLOPS.values())  # 117,600 + 240,000 + 48,000 + 10,080 + 840
    assert total == 416_520
    assert row["theoretical_speedup"] == pytest.approx(total / (total - 75 * 28 * 28))


def test_lenet_dense_layers_count_each_weight_once(lenet):
    zeros = zero_kernel_fraction(lenet, "dense2", 0.25)  # 2,520 of 10,080 weights
    row = pruning_metrics(lenet, build_model("lenet5"))
    assert row["dense2_speedup"] == pytest.approx(4 / 3) and row["dense1_speedup"] == 1.0
    assert row["zero_weights"] == zeros and row["sparsity"] == zeros / 61_470
    total = sum(LENET_FLOPS.values())
    assert row["theoretical_speedup"] == pytest.approx(total / (total - zeros))


def test_the_cnn_prunes_its_three_named_layers(model):
    assert [layer.name for layer in prunable_layers(model)] == ["conv1", "conv2", "dense"]


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
