"""Plausible one-line bugs in the maths, each of which some test must catch.

Each mutation is applied to a copy of the library, and the tests named beside it (a file,
or the one test that pins the line, where the file's other tests would only take time) run
against that copy in a fresh process; the mutation is caught when a test fails (pytest's
exit code 1, not an error in collecting or importing). A mutation whose text no longer
occurs in the library fails here too, so this list cannot silently go stale.
"""

import os
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from conftest import REPO

LIBRARY = REPO / "workflow" / "scripts" / "fwprune"

# name: (module, original line, mutated line, tests expected to catch it: files or node ids)
MUTATIONS = {
    "fw events keep the magnitude mask": (
        "methods/fw.py",
        "network.set_unit_mask(top_k_mask(relaxed, magnitudes, events[i], layers))",
        "network.set_unit_mask(largest_magnitudes(magnitudes, events[i], layers))",
        ["test_fw_reference.py"],
    ),
    "events keep the final k in fw_momentum": (
        "methods/fw.py",
        "network.set_unit_mask(top_k_mask(relaxed, magnitudes, events[i], layers))",
        "network.set_unit_mask(top_k_mask(relaxed, magnitudes, final_keep, layers))",
        ["test_fw_reference.py"],
    ),
    "mask gradient without its W factor": (
        "training.py",
        "return self.latent_weights() * flatten_kernels(totals) / len(y)",
        "return flatten_kernels(totals) / len(y)",
        ["test_training.py::test_mask_gradient_is_the_gradient_in_a_gate_at_the_hard_mask"],
    ),
    "mask gradient with dropout on": (
        "training.py",
        "probabilities = self.model(x, training=False)",
        "probabilities = self.model(x, training=True)",
        ["test_training.py::test_mask_gradient_is_the_gradient_in_a_gate_at_the_hard_mask"],
    ),
    "mask gradient averaged per batch, not per example": (
        "training.py",
        "return self.latent_weights() * flatten_kernels(totals) / len(y)",
        "return self.latent_weights() * flatten_kernels(totals) / batch_size",
        ["test_training.py::test_mask_gradient_is_the_gradient_in_a_gate_at_the_hard_mask"],
    ),
    "FW step's two weights exchanged": (
        "frank_wolfe.py",
        "return (1.0 - gamma) * relaxed_mask + gamma * vertex",
        "return gamma * relaxed_mask + (1.0 - gamma) * vertex",
        ["test_fw_reference.py"],
    ),
    "fw_momentum's LMO fed the fresh gradient": (
        "methods/fw.py",
        "vertex = fwm.lmo(direction, magnitudes, final_keep, layers)",
        "vertex = fwm.lmo(gradient, magnitudes, final_keep, layers)",
        ["test_fw_reference.py"],
    ),
    "LMO over C_k of this iteration's k, not the final one": (
        "methods/fw.py",
        "vertex = fwm.lmo(direction, magnitudes, final_keep, layers)",
        "vertex = fwm.lmo(direction, magnitudes, events.get(i, final_keep), layers)",
        ["test_fw_reference.py"],
    ),
    "LMO picks the most positive entries": (
        "frank_wolfe.py",
        "vertex = top_k_mask(-gradient, weights, k, layers)",
        "vertex = top_k_mask(gradient, weights, k, layers)",
        ["test_fw_reference.py"],
    ),
    "LMO keeps non-negative entries": (
        "frank_wolfe.py",
        "return (vertex & (gradient < 0)).astype(np.float64)",
        "return vertex.astype(np.float64)",
        ["test_fw_reference.py"],
    ),
    "step size 2 / (i + 1)": (
        "frank_wolfe.py",
        "return 2.0 / (iteration + 2)",
        "return 2.0 / (iteration + 1)",
        ["test_fw_reference.py"],
    ),
    "moving average's weights exchanged": (
        "frank_wolfe.py",
        "return rho * buffer + (1.0 - rho) * gradient",
        "return (1.0 - rho) * buffer + rho * gradient",
        ["test_fw_reference.py"],
    ),
    "fw's first event at floor(N/2)": (
        "frank_wolfe.py",
        "math.ceil(iterations / 2)",
        "iterations // 2",
        ["test_fw_reference.py"],
    ),
    "m_0 all ones instead of the magnitude mask": (
        "methods/fw.py",
        "relaxed = largest_magnitudes(network.unit_magnitudes(), final_keep, layers).astype(float)",
        "relaxed = np.ones(network.unit_count)",
        ["test_fw_reference.py"],
    ),
    "one subsample for every iteration": (
        "methods/fw.py",
        "chosen = np.sort(rng.choice(",
        "chosen = np.sort(np.random.default_rng(0).choice(",
        ["test_fw_reference.py"],
    ),
    "ties broken by the smaller |W|": (
        "masks.py",
        "return np.lexsort((index, -magnitudes, -scores))",
        "return np.lexsort((index, magnitudes, -scores))",
        ["test_masks.py"],
    ),
    "a revived weight resumes from zero": (
        "masking.py",
        "self._assign_flat(self.kernels, latent * mask)",
        "self._assign_flat(self.kernels, flatten_kernels(self.kernels) * mask)",
        ["test_training.py::test_revived_weight_resumes_from_its_latent_value"],
    ),
    "a changed mask entry keeps its velocity": (
        "masking.py",
        "flatten_kernels(velocities) * unchanged",
        "flatten_kernels(velocities)",
        ["test_training.py::test_an_entry_whose_mask_changes_restarts_from_rest_under_momentum"],
    ),
    "a filter's gradient ignores whether its readers' filters are kept": (
        "groups.py",
        "unit_sum(units, g * kept[units.consumer], units.producer)",
        "unit_sum(units, g, units.producer)",
        ["test_groups.py"],
    ),
    "a filter's magnitude from the weights that read it": (
        "groups.py",
        "np.sqrt(unit_sum(units, weights**2, units.producer) / sizes)",
        "np.sqrt(unit_sum(units, weights**2, units.consumer) / sizes)",
        ["test_groups.py"],
    ),
    "Dense rows read as a channels-first flatten": (
        "groups.py",
        "grid[0] % channels",
        "grid[0] // (shapes[index][0] // channels)",
        ["test_groups.py"],
    ),
    "a pruned filter's readers are kept": (
        "groups.py",
        "return kept[units.producer] & kept[units.consumer]",
        "return kept[units.producer]",
        ["test_groups.py"],
    ),
    "layer scope keeps round(p n_l), not n_l - round(p n_l)": (
        "masks.py",
        "return np.array([keep_count(int(n), sparsity) for n in sizes], dtype=np.int64)",
        "return np.array([round(sparsity * int(n)) for n in sizes], dtype=np.int64)",
        ["test_scope.py"],
    ),
    "layer scope cuts each layer at its place in the global ranking": (
        "masks.py",
        "mask[order[place < keeps[ordered_layers]]] = True",
        "mask[order[np.arange(n) < keeps[ordered_layers]]] = True",
        ["test_scope.py"],
    ),
    "layer scope: fw's LMO over the global C_k": (
        "methods/fw.py",
        "vertex = fwm.lmo(direction, magnitudes, final_keep, layers)",
        "vertex = fwm.lmo(direction, magnitudes, final_keep.sum(), None)",
        ["test_scope.py"],
    ),
    "layer scope: gmp ranks globally": (
        "methods/gmp.py",
        "network.unit_mask, keep, layers))",
        "network.unit_mask, keep.sum()))",
        ["test_scope.py"],
    ),
    "the small model keeps the first biases, not the kept filters'": (
        "export.py",
        "*(b[kept[-1]] for b in bias)",
        "*(b[: kept[-1].size] for b in bias)",
        ["test_filter_pruning.py"],
    ),
}


def mutated_library(destination, module: str, original: str, mutated: str):
    """A copy of the library with `original` replaced by `mutated` in `module`."""
    library = destination / "fwprune"
    shutil.copytree(LIBRARY, library, ignore=shutil.ignore_patterns("__pycache__"))
    path = library / module
    source = path.read_text()
    assert source.count(original) == 1, f"{module} no longer holds {original!r} once"
    path.write_text(source.replace(original, mutated))
    return destination


def caught_by(name: str, workdir) -> subprocess.CompletedProcess:
    """Run the tests named for mutation `name` against a mutated copy of the library."""
    module, original, mutated, tests = MUTATIONS[name]
    scripts = mutated_library(workdir, module, original, mutated)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    command += ["-o", f"pythonpath={scripts}", *(f"tests/{test}" for test in tests)]
    environment = dict(os.environ, PYTHONPATH=str(scripts))
    return subprocess.run(
        command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> dict[str, Future]:
    """The selected mutations' runs, one per core at a time: each is a process of one
    thread (TensorFlow as in a job, conftest.py), and together they are most of this
    file's time. A run that could not start (a stale line) raises in its own test."""
    selected = [
        item.callspec.params["name"]
        for item in request.session.items
        if item.originalname == "test_the_tests_catch_the_mutation"
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return {
            name: pool.submit(caught_by, name, tmp_path_factory.mktemp("mutation"))
            for name in selected
        }


@pytest.mark.parametrize("name", MUTATIONS)
def test_the_tests_catch_the_mutation(name, outcomes):
    result = outcomes[name].result()
    summary = result.stdout.strip().splitlines()[-1:]
    assert result.returncode == 1, f"{name!r} survived: {summary}\n{result.stderr[-2000:]}"
