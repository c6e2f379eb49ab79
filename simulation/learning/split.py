"""Split learning (§4.3): the community holds the lower layer, the server holds the head.

A two-layer network ``score = relu(x W + b) · v + c``. The community (client) keeps ``W, b``
and its raw records; the server keeps the head ``v, c``. One training step exchanges messages
only (Vepakomma et al. 2018, "Split learning for health"; Gupta & Raskar 2018):

1. the client computes the cut-layer activations ``A = relu(x W + b)`` and sends them with the
   labels (the label-sharing configuration) to the server;
2. the server computes the logits and the loss, updates its head and sends back the gradient of
   the loss with respect to ``A``;
3. the client back-propagates that gradient through its own layer and updates ``W, b``.

The server never sees a raw record, but it does see the activations; the client cannot decide
without the server's head (dependency). Full-batch gradient descent on the weighted mean
log-loss plus ``l2/2 · ||params||² / n``, batched over many client–server pairs: arrays have a
leading axis ``k``. Because the protocol computes exactly the gradient of the whole network,
it trains the same model as central training of the same shape (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit


@dataclass
class SplitModel:
    """``k`` split networks: the clients' lower layers and the server's heads."""

    lower: np.ndarray  # (k, d, h) client weights
    lower_bias: np.ndarray  # (k, h) client biases
    head: np.ndarray  # (k, h) server weights
    head_bias: np.ndarray  # (k,) server bias

    def take(self, rows: np.ndarray) -> SplitModel:
        """The networks of some pairs (a copy)."""
        return SplitModel(
            self.lower[rows], self.lower_bias[rows], self.head[rows], self.head_bias[rows]
        )

    def put(self, rows: np.ndarray, nets: SplitModel) -> None:
        """Write the networks of some pairs back."""
        self.lower[rows], self.lower_bias[rows] = nets.lower, nets.lower_bias
        self.head[rows], self.head_bias[rows] = nets.head, nets.head_bias

    def copy(self) -> SplitModel:
        """An independent copy."""
        return SplitModel(
            self.lower.copy(), self.lower_bias.copy(), self.head.copy(), self.head_bias.copy()
        )


def init_split(k: int, d: int, hidden: int, rng: np.random.Generator) -> SplitModel:
    """He-initialised lower layers and zero heads for ``k`` client–server pairs."""
    lower = rng.standard_normal((k, d, hidden)) * np.sqrt(2.0 / d)
    return SplitModel(lower, np.zeros((k, hidden)), np.zeros((k, hidden)), np.zeros(k))


def client_forward(x: np.ndarray, lower: np.ndarray, lower_bias: np.ndarray) -> np.ndarray:
    """Client: cut-layer activations (k, n, h) of raw records (k, n, d)."""
    return np.maximum(np.einsum("knd,kdh->knh", x, lower) + lower_bias[:, None, :], 0.0)


def server_scores(activations: np.ndarray, head: np.ndarray, head_bias: np.ndarray) -> np.ndarray:
    """Server: logits (k, n) from the activations it received."""
    return np.einsum("knh,kh->kn", activations, head) + head_bias[:, None]


def scores(x: np.ndarray, net: SplitModel) -> np.ndarray:
    """Logits of the split networks on raw records: a forward pass through both parties."""
    return server_scores(client_forward(x, net.lower, net.lower_bias), net.head, net.head_bias)


def server_step(
    activations: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    head: np.ndarray,
    head_bias: np.ndarray,
    learning_rate: float,
    l2: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Server: update the head; return (head, head_bias, gradient w.r.t. the activations)."""
    n = np.maximum(weight.sum(axis=1), 1.0)  # (k,)
    residual = (expit(server_scores(activations, head, head_bias)) - y) * weight / n[:, None]
    grad_activations = residual[:, :, None] * head[:, None, :]  # computed before the update
    grad_head = np.einsum("kn,knh->kh", residual, activations) + l2 / n[:, None] * head
    grad_bias = residual.sum(axis=1)
    return (
        head - learning_rate * grad_head,
        head_bias - learning_rate * grad_bias,
        grad_activations,
    )


def client_step(
    x: np.ndarray,
    activations: np.ndarray,
    grad_activations: np.ndarray,
    weight: np.ndarray,
    lower: np.ndarray,
    lower_bias: np.ndarray,
    learning_rate: float,
    l2: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Client: back-propagate the server's gradient through the ReLU layer and update it."""
    n = np.maximum(weight.sum(axis=1), 1.0)
    grad_pre = grad_activations * (activations > 0)
    grad_lower = np.einsum("knd,knh->kdh", x, grad_pre) + l2 / n[:, None, None] * lower
    return lower - learning_rate * grad_lower, lower_bias - learning_rate * grad_pre.sum(axis=1)


def train_split(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    net: SplitModel,
    epochs: int,
    learning_rate: float,
    l2: float,
) -> tuple[SplitModel, int]:
    """Run ``epochs`` rounds of the split protocol; return the networks and the activation
    rows the server received."""
    net = net.copy()
    sent = 0
    for _ in range(epochs):
        activations = client_forward(x, net.lower, net.lower_bias)  # client → server
        net.head, net.head_bias, grad = server_step(
            activations, y, weight, net.head, net.head_bias, learning_rate, l2
        )  # server → client: the gradient at the cut layer
        net.lower, net.lower_bias = client_step(
            x, activations, grad, weight, net.lower, net.lower_bias, learning_rate, l2
        )
        sent += int((weight > 0).sum())
    return net, sent


def split_flops(rows: int, d: int, hidden: int, epochs: int) -> float:
    """Floating-point work of one client–server pair: forward and backward, both parties."""
    return float(epochs * rows * (6 * d * hidden + 6 * hidden))
