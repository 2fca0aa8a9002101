"""A neural network written from scratch in NumPy: 784 inputs, one hidden ReLU layer, 10 outputs.

With ``num_hidden=0`` the same functions build and train a network without a hidden layer:
softmax (multinomial logistic) regression, the chapter's baseline.

Chapter 3 derives and shows every function here, in cells marked ``#@save digitcourse.numpy_net``;
``tests/test_notebooks.py`` fails when the chapter's copy and this one differ. Only NumPy is used
(and tqdm for the progress bar). Method: backpropagation (Rumelhart, Hinton and Williams, 1986),
He initialization (He et al., 2015), Adam with decoupled weight decay (Kingma and Ba, 2015;
Loshchilov and Hutter, 2019), cosine learning-rate decay (Loshchilov and Hutter, 2017).
"""

import time

import numpy as np
from tqdm import tqdm

from digitcourse.preprocess import one_hot


def init_params(num_inputs=784, num_hidden=128, num_classes=10, seed=0, dtype=np.float32):
    """He-initialized weights and zero biases of a network with one hidden layer, or none.

    Returns a dict of arrays: W1 (num_inputs, num_hidden), b1 (num_hidden,),
    W2 (num_hidden, num_classes), b2 (num_classes,); weights drawn from N(0, 2 / fan_in).
    With num_hidden=0 there is no hidden layer (softmax regression): only
    W1 (num_inputs, num_classes) and b1 (num_classes,).
    """
    rng = np.random.default_rng(seed)
    if num_hidden == 0:
        params = {
            "W1": rng.normal(0.0, np.sqrt(2.0 / num_inputs), (num_inputs, num_classes)),
            "b1": np.zeros(num_classes),
        }
    else:
        params = {
            "W1": rng.normal(0.0, np.sqrt(2.0 / num_inputs), (num_inputs, num_hidden)),
            "b1": np.zeros(num_hidden),
            "W2": rng.normal(0.0, np.sqrt(2.0 / num_hidden), (num_hidden, num_classes)),
            "b2": np.zeros(num_classes),
        }
    return {name: value.astype(dtype) for name, value in params.items()}


def forward(params, x):
    """Logits (N, num_classes) for inputs x (N, num_inputs), and the cache backward() needs."""
    if "W2" not in params:  # no hidden layer: the logits are a linear function of the pixels
        return x @ params["W1"] + params["b1"], (x,)
    z1 = x @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    logits = h @ params["W2"] + params["b2"]
    return logits, (x, z1, h)


def log_softmax(logits):
    """log p = z - logsumexp(z), row by row, computed stably (the row maximum is subtracted)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(logits, targets):
    """Mean categorical cross-entropy of logits (N, K) against one-hot targets (N, K)."""
    return -np.mean(np.sum(targets * log_softmax(logits), axis=1))


def backward(params, logits, cache, targets):
    """Gradients of the mean cross-entropy with respect to every parameter (same keys and shapes)."""
    dlogits = (np.exp(log_softmax(logits)) - targets) / len(targets)
    if "W2" not in params:  # no hidden layer
        (x,) = cache
        return {"W1": x.T @ dlogits, "b1": dlogits.sum(axis=0)}
    x, z1, h = cache
    dh = dlogits @ params["W2"].T
    dz1 = dh * (z1 > 0)
    return {
        "W2": h.T @ dlogits,
        "b2": dlogits.sum(axis=0),
        "W1": x.T @ dz1,
        "b1": dz1.sum(axis=0),
    }


class SGD:
    """Plain mini-batch stochastic gradient descent: theta <- theta - learning_rate * gradient."""

    def step(self, params, grads, learning_rate):
        """Update params in place, one step of size learning_rate."""
        for name, grad in grads.items():
            params[name] -= (learning_rate * grad).astype(params[name].dtype)


class Adam:
    """Adam with decoupled weight decay (AdamW), written out; decay applies to weights, not biases."""

    def __init__(self, params, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.beta1, self.beta2, self.eps, self.weight_decay = beta1, beta2, eps, weight_decay
        self.m = {name: np.zeros_like(value) for name, value in params.items()}
        self.v = {name: np.zeros_like(value) for name, value in params.items()}
        self.t = 0

    def step(self, params, grads, learning_rate):
        """Update params in place, one step of size learning_rate."""
        self.t += 1
        for name, grad in grads.items():
            self.m[name] = self.beta1 * self.m[name] + (1 - self.beta1) * grad
            self.v[name] = self.beta2 * self.v[name] + (1 - self.beta2) * grad**2
            m_hat = self.m[name] / (1 - self.beta1**self.t)
            v_hat = self.v[name] / (1 - self.beta2**self.t)
            update = m_hat / (np.sqrt(v_hat) + self.eps)
            if name.startswith("W"):
                update = update + self.weight_decay * params[name]
            params[name] -= (learning_rate * update).astype(params[name].dtype)


def cosine_learning_rate(step, total_steps, peak):
    """Learning rate that falls from peak to 0 along half a cosine over total_steps steps."""
    return 0.5 * peak * (1 + np.cos(np.pi * step / total_steps))


def evaluate(params, x, y, batch_size=2000):
    """Mean cross-entropy and accuracy on inputs x (N, 784) with integer labels y (N,)."""
    losses, correct = [], 0
    for start in range(0, len(x), batch_size):
        logits, _ = forward(params, x[start:start + batch_size])
        targets = one_hot(y[start:start + batch_size], logits.shape[1])
        losses.append(cross_entropy(logits, targets) * len(targets))
        correct += (logits.argmax(axis=1) == y[start:start + batch_size]).sum()
    return float(np.sum(losses) / len(x)), float(correct / len(x))


def train(params, x_train, y_train, x_val, y_val, epochs, optimizer, learning_rate,
          schedule=cosine_learning_rate, batch_size=128, seed=0):
    """Train params in place by mini-batches; return the history.

    x_* are float32 (N, 784) in [0, 1]; y_* integer labels (N,); optimizer is SGD() or Adam(params);
    schedule(step, total_steps, learning_rate) gives each step's learning rate. The history maps
    "loss", "accuracy", "val_loss", "val_accuracy" to one value per epoch, as Keras' History does.
    """
    rng = np.random.default_rng(seed)
    steps_per_epoch = int(np.ceil(len(x_train) / batch_size))
    total_steps, step = epochs * steps_per_epoch, 0
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for epoch in (bar := tqdm(range(epochs), desc="training", unit="epoch")):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            batch = order[start:start + batch_size]
            logits, cache = forward(params, x_train[batch])
            grads = backward(params, logits, cache, one_hot(y_train[batch], logits.shape[1]))
            optimizer.step(params, grads, schedule(step, total_steps, learning_rate))
            step += 1
        for prefix, (x, y) in (("", (x_train, y_train)), ("val_", (x_val, y_val))):
            loss, accuracy = evaluate(params, x, y)
            history[prefix + "loss"].append(loss)
            history[prefix + "accuracy"].append(accuracy)
        bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                        val_accuracy=f"{history['val_accuracy'][-1]:.4f}", refresh=False)
    return history


def train_numpy_mlp(x_train, y_train, x_val, y_val, epochs, num_hidden=256, learning_rate=2e-3,
                    weight_decay=1e-4, batch_size=128, seed=0):
    """Chapter 3's recipe: a fresh init_params(num_hidden) network trained by Adam with decoupled
    weight decay and the cosine schedule from a peak learning_rate.

    x_* are float32 (N, 784) in [0, 1]; y_* integer labels (N,); seed fixes the initial weights
    and the batch order. Returns (params, history, seconds): the trained dict of arrays, the
    history of train, and the wall-clock seconds of the training.
    """
    params = init_params(num_hidden=num_hidden, seed=seed)
    start = time.perf_counter()
    history = train(params, x_train, y_train, x_val, y_val, epochs=epochs,
                    optimizer=Adam(params, weight_decay=weight_decay),
                    learning_rate=learning_rate, batch_size=batch_size, seed=seed)
    return params, history, time.perf_counter() - start
