"""Loss, optimiser and schedule, validation metrics of the LightningModule."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from deepallele.models.module import AlleleModule, pearson, validation_metrics


def test_pearson_by_hand():
    # centred a = [-1, 0, 1], b = [-4/3, -1/3, 5/3]: r = 3 / sqrt(2 * 14/3)
    assert pearson(torch.tensor([1.0, 2, 3]), torch.tensor([1.0, 2, 4])) == pytest.approx(3 / math.sqrt(28 / 3))
    assert pearson(torch.tensor([1.0, 2, 3]), torch.tensor([5.0, 5, 5])) == 0.0


class _Fixed(nn.Module):
    def __init__(self, out):
        super().__init__()
        self.out = out
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return self.out + 0 * self.w


@pytest.mark.filterwarnings("ignore:You are trying to")
def test_loss_is_mean_of_three_mse_terms(tiny_arch):
    m = AlleleModule("deepallele", 16, tiny_arch)
    m.model = _Fixed(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    y = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    # squared errors: count_ref (1 + 0) / 2, count_alt (4 + 0) / 2, ratio (9 + 4) / 2 -> mean 18 / 6 = 3
    assert m.training_step((torch.zeros(2, 2, 4, 16), y), 0).item() == pytest.approx(3.0)


@pytest.mark.filterwarnings("ignore:You are trying to")
def test_non_finite_loss_batches_are_skipped(tiny_arch):
    m = AlleleModule("ref_only", 16, tiny_arch)
    m.model = _Fixed(torch.tensor([[float("nan")]]))
    assert m.training_step((torch.zeros(1, 4, 16), torch.zeros(1, 1)), 0) is None
    assert m.skipped_batches == 1


def test_validation_metrics_per_model_type():
    pred = torch.tensor([[1.0, 1.0, 0.0], [2.0, 3.0, -1.0], [3.0, 2.0, 1.0]])
    obs = torch.tensor([[1.0, 2.0, 0.0], [2.0, 2.0, 0.0], [4.0, 2.0, 2.0]])
    # squared errors per column: ref [0, 0, 1], alt [1, 1, 0], ratio [0, 1, 1]
    assert validation_metrics("deepallele", pred, obs)["val_loss"] == pytest.approx(5 / 9)
    assert validation_metrics("ref_only", pred, obs)["val_loss"] == pytest.approx(1 / 3)
    assert validation_metrics("alt_only", pred, obs)["val_loss"] == pytest.approx(2 / 3)
    assert validation_metrics("two_genome", pred, obs)["val_loss"] == pytest.approx(3 / 6)
    m = validation_metrics("ref_only", pred, obs)
    assert m["val_count_alt_pearson"] == 0.0  # observed alt constant
    # ratio: pred [0, -1, 1] vs obs [0, 0, 2]: centred [0, -1, 1] . [-2/3, -2/3, 4/3] = 2, norms 2 and 8/3
    assert m["val_ratio_pearson"] == pytest.approx(2 / math.sqrt(2 * 8 / 3))


def test_adam_and_triangular_cyclic_schedule(tiny_arch):
    m = AlleleModule("deepallele", 16, tiny_arch, {"cyclic_step_size_up": 4})
    conf = m.configure_optimizers()
    opt, sched = conf["optimizer"], conf["lr_scheduler"]["scheduler"]
    assert isinstance(opt, torch.optim.Adam) and conf["lr_scheduler"]["interval"] == "step"
    assert opt.param_groups[0]["weight_decay"] == 1e-5
    lrs = []
    for _ in range(9):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    # 5e-5 -> 2e-4 in 4 steps and back
    assert lrs == pytest.approx([5e-5, 8.75e-5, 1.25e-4, 1.625e-4, 2e-4, 1.625e-4, 1.25e-4, 8.75e-5, 5e-5])
    assert "betas" in opt.defaults and opt.defaults["betas"] == (0.9, 0.999)
