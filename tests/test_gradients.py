"""The hand-written BPTT must equal autograd and finite differences, for every option."""
import itertools

import numpy as np
import pytest
import torch

from charrnn.model import ACTIVATIONS, INIT_METHODS, CharRNN, clip_gradients

V, H, T = 7, 9, 6


def make_case(init, activation, embedding_dim, seed=3, carried_h=True):
    model = CharRNN(V, H, init=init, activation=activation, embedding_dim=embedding_dim, seed=seed)
    rng = np.random.default_rng(seed)
    # Nonzero biases and a nonzero carried-in state exercise every term.
    for name in ("b_h", "b_y"):
        model.arrays[name][...] = rng.normal(0, 0.3, model.arrays[name].shape)
    if init == "random":  # tiny W_hh makes the recurrent gradient almost vanish; scale it up to test it
        model.arrays["W_hh"] *= 50
    inputs = rng.integers(0, V, T)
    targets = rng.integers(0, V, T)
    h0 = rng.normal(0, 0.5, H) if carried_h else np.zeros(H)
    if activation == "sigmoid":
        h0 = np.abs(h0)
    return model, inputs, targets, h0


def torch_loss(model, inputs, targets, h0):
    """The same computation in torch, written independently, for autograd."""
    p = {k: torch.tensor(v, requires_grad=True) for k, v in model.arrays.items()}
    f = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[model.activation.name]
    h = torch.tensor(h0)
    loss = torch.zeros((), dtype=torch.float64)
    for x_i, y_i in zip(inputs, targets, strict=True):
        if model.embedding_dim:
            x = p["embedding"][int(x_i)]
        else:
            x = torch.nn.functional.one_hot(torch.tensor(int(x_i)), V).double()
        h = f(p["W_xh"] @ x + p["W_hh"] @ h + p["b_h"])
        logits = p["W_hy"] @ h + p["b_y"]
        loss = loss - torch.log_softmax(logits, dim=0)[int(y_i)]
    return loss, p


def rel_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12)


COMBOS = list(itertools.product(INIT_METHODS, ACTIVATIONS, (0, 5), (False, True)))


@pytest.mark.parametrize("init,activation,embedding_dim,freeze", COMBOS)
def test_backward_matches_autograd(init, activation, embedding_dim, freeze):
    model, inputs, targets, h0 = make_case(init, activation, embedding_dim)
    fwd = model.forward(inputs, targets, h0)
    grads, _ = model.backward(fwd, freeze_whh=freeze)

    loss, p = torch_loss(model, inputs, targets, h0)
    loss.backward()
    assert fwd.loss == pytest.approx(loss.item(), rel=1e-12)
    assert set(grads) == set(p)
    for name, g in grads.items():
        expected = np.zeros_like(g) if (freeze and name == "W_hh") else p[name].grad.numpy()
        assert np.abs(expected).max() > 0 or name == "W_hh", f"{name}: the check would be vacuous"
        assert rel_error(g, expected) < 1e-6, name


@pytest.mark.parametrize("init,activation,embedding_dim",
                         list(itertools.product(INIT_METHODS, ACTIVATIONS, (0, 4))))
def test_backward_matches_finite_differences(init, activation, embedding_dim):
    model, inputs, targets, h0 = make_case(init, activation, embedding_dim, seed=11)
    grads, _ = model.backward(model.forward(inputs, targets, h0))
    eps = 1e-6
    for name, param in model.arrays.items():
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            saved = param[idx]
            param[idx] = saved + eps
            up = model.forward(inputs, targets, h0).loss
            param[idx] = saved - eps
            down = model.forward(inputs, targets, h0).loss
            param[idx] = saved
            numeric[idx] = (up - down) / (2 * eps)
        assert rel_error(grads[name], numeric) < 1e-6, name


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_clipping_matches_torch_clip_grad_norm(activation):
    model, inputs, targets, h0 = make_case("xavier", activation, 0)
    grads, _ = model.backward(model.forward(inputs, targets, h0))
    loss, p = torch_loss(model, inputs, targets, h0)
    loss.backward()
    tensors = [p[name] for name in grads]
    total = float(torch.nn.utils.clip_grad_norm_(tensors, max_norm=0.5))

    report = clip_gradients(grads, 0.5)
    assert report.clipped and report.total_norm == pytest.approx(total, rel=1e-9)
    assert report.ratio == pytest.approx(0.5 / total, rel=1e-9)
    for name, g in grads.items():
        assert rel_error(g, p[name].grad.numpy()) < 1e-6, name
    clipped_norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    assert clipped_norm == pytest.approx(0.5, rel=1e-9)


def test_clipping_off_and_under_threshold_leave_gradients_alone():
    model, inputs, targets, h0 = make_case("orthogonal", "tanh", 0)
    grads, _ = model.backward(model.forward(inputs, targets, h0))
    before = {k: v.copy() for k, v in grads.items()}
    for threshold in (0.0, 1e9):
        report = clip_gradients(grads, threshold)
        assert not report.clipped and report.ratio == 1.0
        assert all(np.array_equal(grads[k], before[k]) for k in grads)


def test_dh_is_the_gradient_reaching_each_hidden_state():
    model, inputs, targets, h0 = make_case("orthogonal", "tanh", 0)
    _, dh = model.backward(model.forward(inputs, targets, h0))
    # Autograd on the hidden states themselves.
    p = {k: torch.tensor(v, requires_grad=True) for k, v in model.arrays.items()}
    h = torch.tensor(h0)
    hs, loss = [], 0
    for x_i, y_i in zip(inputs, targets, strict=True):
        h = torch.tanh(p["W_xh"][:, int(x_i)] + p["W_hh"] @ h + p["b_h"])
        h.retain_grad()
        hs.append(h)
        loss = loss - torch.log_softmax(p["W_hy"] @ h + p["b_y"], 0)[int(y_i)]
    loss.backward()
    expected = np.array([x.grad.numpy() for x in hs])
    assert rel_error(dh, expected) < 1e-9


def test_parameter_count_of_the_reference_model():
    model = CharRNN(24, 64)
    assert model.num_params == 7256
    assert sorted(model.arrays) == ["W_hh", "W_hy", "W_xh", "b_h", "b_y"]
    assert all(isinstance(p, torch.nn.Parameter) for p in model.parameters())


def test_numpy_views_share_memory_with_the_parameters():
    model = CharRNN(5, 4)
    model.arrays["W_hh"][0, 0] = 123.0
    assert model.W_hh[0, 0].item() == 123.0


def test_initialisation():
    ortho = CharRNN(24, 64, init="orthogonal", seed=1).arrays["W_hh"]
    assert np.abs(np.linalg.eigvals(ortho)).max() == pytest.approx(1.0, abs=1e-12)
    rand = CharRNN(24, 64, init="random", seed=1).arrays["W_hh"]
    assert rand.std() == pytest.approx(0.01, rel=0.1)
    a, b = CharRNN(24, 64, seed=7), CharRNN(24, 64, seed=7)
    assert all(np.array_equal(a.arrays[k], b.arrays[k]) for k in a.arrays)
    assert np.all(a.arrays["b_h"] == 0) and np.all(a.arrays["b_y"] == 0)
    with pytest.raises(ValueError, match="orthogonal, xavier, random"):
        CharRNN(24, 64, init="he")
    with pytest.raises(ValueError, match="tanh, relu, sigmoid"):
        CharRNN(24, 64, activation="gelu")


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_from_output(name):
    act = ACTIVATIONS[name]
    a = np.linspace(-3, 3, 61) + 0.013  # avoid relu's kink at 0
    numeric = (act.f(a + 1e-6) - act.f(a - 1e-6)) / 2e-6
    assert np.allclose(act.grad(act.f(a)), numeric, atol=1e-8)
