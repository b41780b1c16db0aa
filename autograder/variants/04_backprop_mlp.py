"""Alternative answers for chapter 04: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---- perceptron ---------------------------------------------------------------------------------------------
    {
        "cell": "perceptron",
        "passes": True,
        "why": "augmented weight vector [w, b] with a constant-1 input, update written without an if",
        "source": '''
def perceptron(X, y, epochs=20, lr=1.0):
    Xa = np.c_[X, np.ones(len(X))]
    theta = np.zeros(Xa.shape[1])
    mistakes = []
    for _ in range(epochs):
        count = 0
        for x_i, y_i in zip(Xa, y):
            err = y_i - int(theta @ x_i > 0)
            theta += lr * err * x_i
            count += int(err != 0)
        mistakes.append(count)
    return theta[:-1], float(theta[-1]), mistakes
''',
    },
    {
        "cell": "perceptron",
        "passes": False,
        "why": "forgets the bias: the line must pass through the origin",
        "message": "b after one epoch",
        "source": '''
def perceptron(X, y, epochs=20, lr=1.0):
    w = np.zeros(X.shape[1])
    mistakes = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1 if x_i @ w > 0 else 0
            if y_hat != y_i:
                w = w + lr * (y_i - y_hat) * x_i
                wrong += 1
        mistakes.append(wrong)
    return w, 0.0, mistakes
''',
    },
    {
        "cell": "perceptron",
        "passes": False,
        "why": "flips the sign of the update (moves w away from missed positives)",
        "message": "w after one epoch",
        "source": '''
def perceptron(X, y, epochs=20, lr=1.0):
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1 if x_i @ w + b > 0 else 0
            if y_hat != y_i:
                w = w - lr * (y_i - y_hat) * x_i
                b = b - lr * (y_i - y_hat)
                wrong += 1
        mistakes.append(wrong)
    return w, b, mistakes
''',
    },
    {
        "cell": "perceptron",
        "passes": False,
        "why": "thresholds with >= 0, so an all-zero start predicts 1 for everything",
        "message": "does not match",
        "source": '''
def perceptron(X, y, epochs=20, lr=1.0):
    w = np.zeros(X.shape[1])
    b = 0.0
    mistakes = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1 if x_i @ w + b >= 0 else 0
            if y_hat != y_i:
                w = w + lr * (y_i - y_hat) * x_i
                b = b + lr * (y_i - y_hat)
                wrong += 1
        mistakes.append(wrong)
    return w, b, mistakes
''',
    },
    # ---- dense --------------------------------------------------------------------------------------------------
    {
        "cell": "dense",
        "passes": True,
        "why": "einsum everywhere, own initialisation code, input cached under another name",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        std = (2.0 / (n_in + n_out)) ** 0.5
        self.params = {"W": std * rng.standard_normal((n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {"W": np.zeros((n_in, n_out)), "b": np.zeros(n_out)}

    def forward(self, x):
        self.cache = x
        return np.einsum("nd,dm->nm", x, self.params["W"]) + self.params["b"][None, :]

    def backward(self, dout):
        self.grads["W"] = np.einsum("nd,nm->dm", self.cache, dout)
        self.grads["b"] = np.einsum("nm->m", dout)
        return np.einsum("nm,dm->nd", dout, self.params["W"])
''',
    },
    {
        "cell": "dense",
        "passes": True,
        "why": "keeps W and b as attributes (the same arrays as in params) and writes grads in place",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out))
        self.b = np.zeros(n_out)
        self.params = {"W": self.W, "b": self.b}
        self.grads = {"W": np.zeros_like(self.W), "b": np.zeros_like(self.b)}

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.grads["W"][...] = np.dot(self.x.T, dout)
        self.grads["b"][...] = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)
''',
    },
    {
        "cell": "dense",
        "passes": False,
        "why": "forgets to sum the bias gradient over the batch",
        "message": "wrong shape",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = dout
        return dout @ self.params["W"].T
''',
    },
    {
        "cell": "dense",
        "passes": False,
        "why": "wrong transpose in dx (dout @ W): wrong values on a square layer",
        "message": "relative error",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = dout.sum(axis=0)
        return dout @ self.params["W"]
''',
    },
    {
        "cell": "dense",
        "passes": False,
        "why": "wrong transpose in dW (dout.T @ x)",
        "message": "relative error",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"] = dout.T @ self.x
        self.grads["b"] = dout.sum(axis=0)
        return dout @ self.params["W"].T
''',
    },
    {
        "cell": "dense",
        "passes": False,
        "why": "averages the bias gradient over the batch instead of summing",
        "message": "Dense db",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = dout.mean(axis=0)
        return dout @ self.params["W"].T
''',
    },
    {
        "cell": "dense",
        "passes": False,
        "why": "accumulates into grads (+=) instead of overwriting them",
        "message": "not accumulate",
        "source": '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng=None):
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"] += self.x.T @ dout
        self.grads["b"] += dout.sum(axis=0)
        return dout @ self.params["W"].T
''',
    },
    # ---- activations --------------------------------------------------------------------------------------------
    {
        "cell": "activations",
        "passes": True,
        "why": "sigmoid through tanh, backward from the cached input, ReLU as x * (x > 0)",
        "source": '''
class Sigmoid(Layer):
    def forward(self, x):
        self.x = x
        return 0.5 * (1.0 + np.tanh(0.5 * x))

    def backward(self, dout):
        s = 0.5 * (1.0 + np.tanh(0.5 * self.x))
        return dout * s * (1.0 - s)


class Tanh(Layer):
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, dout):
        return dout / np.cosh(self.x) ** 2


class ReLU(Layer):
    def forward(self, x):
        self.x = x
        return x * (x > 0)

    def backward(self, dout):
        return np.where(self.x > 0, dout, 0.0)
''',
    },
    {
        "cell": "activations",
        "passes": False,
        "why": "ReLU backward masks by the sign of dout instead of the input",
        "message": "mask comes from the INPUT",
        "source": '''
class Sigmoid(Layer):
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class ReLU(Layer):
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * (dout > 0)
''',
    },
    {
        "cell": "activations",
        "passes": False,
        "why": "tanh derivative written as 1 - x**2 with x the input",
        "message": "not 1 - x**2",
        "source": '''
class Sigmoid(Layer):
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, dout):
        return dout * (1 - self.x ** 2)


class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask
''',
    },
    {
        "cell": "activations",
        "passes": False,
        "why": "applies the sigmoid again to the cached output in backward",
        "message": "s (1 - s)",
        "source": '''
class Sigmoid(Layer):
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * sigmoid(self.out) * (1 - sigmoid(self.out))


class Tanh(Layer):
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask
''',
    },
    {
        "cell": "activations",
        "passes": False,
        "why": "ReLU zeroes the negative entries of its input array in place",
        "message": "in place",
        "source": '''
class Sigmoid(Layer):
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        x[~self.mask] = 0.0
        return x

    def backward(self, dout):
        return dout * self.mask
''',
    },
    # ---- softmax_cross_entropy ----------------------------------------------------------------------------------
    {
        "cell": "softmax_cross_entropy",
        "passes": True,
        "why": "scipy.special.log_softmax and a one-hot matrix",
        "source": '''
class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        from scipy.special import log_softmax
        log_p = log_softmax(scores, axis=1)
        self.onehot = np.eye(scores.shape[1])[y]
        self.p = np.exp(log_p)
        return float(-(log_p * self.onehot).sum() / len(y))

    def backward(self):
        return (self.p - self.onehot) / len(self.p)
''',
    },
    {
        "cell": "softmax_cross_entropy",
        "passes": True,
        "why": "log-sum-exp by hand with np.take_along_axis, probabilities recomputed in backward",
        "source": '''
class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        m = np.max(scores, axis=1, keepdims=True)
        lse = m + np.log(np.sum(np.exp(scores - m), axis=1, keepdims=True))
        self.scores, self.lse, self.y = scores, lse, y
        return float(np.mean(lse[:, 0] - np.take_along_axis(scores, y[:, None], axis=1)[:, 0]))

    def backward(self):
        grad = np.exp(self.scores - self.lse)
        grad[np.arange(len(self.y)), self.y] -= 1
        return grad / len(self.y)
''',
    },
    {
        "cell": "softmax_cross_entropy",
        "passes": False,
        "why": "no max shift: exp(1000) overflows",
        "message": "NaN",
        "source": '''
class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        e = np.exp(scores)
        self.p, self.y = e / e.sum(axis=1, keepdims=True), y
        return float(-np.mean(np.log(self.p[np.arange(len(y)), y])))

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.y)), self.y] -= 1
        return d / len(self.y)
''',
    },
    {
        "cell": "softmax_cross_entropy",
        "passes": False,
        "why": "gradient not divided by N",
        "message": "divide by N",
        "source": '''
class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        s = scores - scores.max(axis=1, keepdims=True)
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        self.p, self.y = np.exp(log_p), y
        return float(-np.mean(log_p[np.arange(len(y)), y]))

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.y)), self.y] -= 1
        return d
''',
    },
    {
        "cell": "softmax_cross_entropy",
        "passes": False,
        "why": "max shift, but the loss is taken as log of a probability that underflows to 0",
        "message": "log(p)",
        "source": '''
class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        self.p, self.y = e / e.sum(axis=1, keepdims=True), y
        return float(-np.mean(np.log(self.p[np.arange(len(y)), y])))

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.y)), self.y] -= 1
        return d / len(self.y)
''',
    },
    {
        "cell": "softmax_cross_entropy",
        "passes": False,
        "why": "subtracts the max of the whole batch instead of each row's max",
        "message": "own max",
        "source": '''
class SoftmaxCrossEntropy:
    def forward(self, scores, y):
        s = scores - scores.max()
        log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        self.p, self.y = np.exp(log_p), y
        return float(-np.mean(log_p[np.arange(len(y)), y]))

    def backward(self):
        d = self.p.copy()
        d[np.arange(len(self.y)), self.y] -= 1
        return d / len(self.y)
''',
    },
    # ---- xor_mlp ------------------------------------------------------------------------------------------------
    {
        "cell": "xor_mlp",
        "passes": True,
        "why": "own uniform initialisation, explicit update loop over the layers, 1-D output via [:, 0]",
        "source": '''
def xor_mlp(act, hidden=2, epochs=3000, lr=2.0, seed=0):
    rng = np.random.default_rng(seed)
    first, second = Dense(2, hidden, rng=rng), Dense(hidden, 1, rng=rng)
    first.params["W"][:] = rng.uniform(-1, 1, (2, hidden))
    second.params["W"][:] = rng.uniform(-1, 1, (hidden, 1))
    net = Sequential(first, ACTIVATIONS[act](), second)
    loss = SigmoidBCE()
    for _ in range(epochs):
        loss.forward(net.forward(X_XOR), Y_XOR)
        net.backward(loss.backward())
        for layer in net.layers:
            for k in layer.params:
                layer.params[k] -= lr * layer.grads[k]
    return 1 / (1 + np.exp(-net.forward(X_XOR)[:, 0])), net
''',
    },
    {
        "cell": "xor_mlp",
        "passes": False,
        "why": "ignores act: the hidden layer is always linear",
        "message": "separate all 4",
        "source": '''
def xor_mlp(act, hidden=2, epochs=3000, lr=2.0, seed=0):
    rng = np.random.default_rng(seed)
    net = Sequential(Dense(2, hidden, rng=rng), Identity(), Dense(hidden, 1, rng=rng))
    loss, optimizer = SigmoidBCE(), SGD(lr)
    for _ in range(epochs):
        loss.forward(net.forward(X_XOR), Y_XOR)
        net.backward(loss.backward())
        optimizer.step(net)
    return sigmoid(net.forward(X_XOR)).ravel(), net
''',
    },
    {
        "cell": "xor_mlp",
        "passes": False,
        "why": "returns hard 0/1 predictions instead of probabilities",
        "message": "within 0.05 of 0.5",
        "source": '''
def xor_mlp(act, hidden=2, epochs=3000, lr=2.0, seed=0):
    rng = np.random.default_rng(seed)
    net = Sequential(Dense(2, hidden, rng=rng), ACTIVATIONS[act](), Dense(hidden, 1, rng=rng))
    loss, optimizer = SigmoidBCE(), SGD(lr)
    for _ in range(epochs):
        loss.forward(net.forward(X_XOR), Y_XOR)
        net.backward(loss.backward())
        optimizer.step(net)
    return (net.forward(X_XOR).ravel() > 0).astype(float), net
''',
    },
    # ---- trainer ------------------------------------------------------------------------------------------------
    {
        "cell": "trainer",
        "passes": True,
        "why": "permutes X and y once per epoch, then slices; history weighted by batch size",
        "source": '''
class Trainer:
    def __init__(self, net, loss, optimizer, batch_size=32, seed=0):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.history = []

    def fit(self, X, y, epochs=1):
        for _ in range(epochs):
            perm = self.rng.permutation(len(X))
            Xs, ys = X[perm], y[perm]
            total = 0.0
            for start in range(0, len(X), self.batch_size):
                xb, yb = Xs[start:start + self.batch_size], ys[start:start + self.batch_size]
                total += self.loss.forward(self.net.forward(xb), yb) * len(xb)
                self.net.backward(self.loss.backward())
                self.optimizer.step(self.net)
            self.history.append(total / len(X))
        return self.history
''',
    },
    {
        "cell": "trainer",
        "passes": False,
        "why": "never shuffles: the same sorted batches every epoch",
        "message": "shuffle",
        "source": '''
class Trainer:
    def __init__(self, net, loss, optimizer, batch_size=32, seed=0):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.history = []

    def fit(self, X, y, epochs=1):
        for _ in range(epochs):
            losses = []
            for start in range(0, len(X), self.batch_size):
                xb, yb = X[start:start + self.batch_size], y[start:start + self.batch_size]
                losses.append(self.loss.forward(self.net.forward(xb), yb))
                self.net.backward(self.loss.backward())
                self.optimizer.step(self.net)
            self.history.append(float(np.mean(losses)))
        return self.history
''',
    },
    {
        "cell": "trainer",
        "passes": False,
        "why": "shuffles once, before the first epoch",
        "message": "NEW permutation",
        "source": '''
class Trainer:
    def __init__(self, net, loss, optimizer, batch_size=32, seed=0):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.history = []

    def fit(self, X, y, epochs=1):
        order = self.rng.permutation(len(X))
        for _ in range(epochs):
            losses = []
            for start in range(0, len(X), self.batch_size):
                idx = order[start:start + self.batch_size]
                losses.append(self.loss.forward(self.net.forward(X[idx]), y[idx]))
                self.net.backward(self.loss.backward())
                self.optimizer.step(self.net)
            self.history.append(float(np.mean(losses)))
        return self.history
''',
    },
    {
        "cell": "trainer",
        "passes": False,
        "why": "iterates the same first batch over and over",
        "message": "every example exactly once",
        "source": '''
class Trainer:
    def __init__(self, net, loss, optimizer, batch_size=32, seed=0):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.history = []

    def fit(self, X, y, epochs=1):
        n_batches = int(np.ceil(len(X) / self.batch_size))
        for _ in range(epochs):
            order = self.rng.permutation(len(X))
            losses = []
            for _ in range(n_batches):
                idx = order[:self.batch_size]
                losses.append(self.loss.forward(self.net.forward(X[idx]), y[idx]))
                self.net.backward(self.loss.backward())
                self.optimizer.step(self.net)
            self.history.append(float(np.mean(losses)))
        return self.history
''',
    },
    {
        "cell": "trainer",
        "passes": False,
        "why": "full-batch: one update per epoch on the whole shuffled data",
        "message": "one optimiser step per mini-batch",
        "source": '''
class Trainer:
    def __init__(self, net, loss, optimizer, batch_size=32, seed=0):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.history = []

    def fit(self, X, y, epochs=1):
        for _ in range(epochs):
            idx = self.rng.permutation(len(X))
            self.history.append(self.loss.forward(self.net.forward(X[idx]), y[idx]))
            self.net.backward(self.loss.backward())
            self.optimizer.step(self.net)
        return self.history
''',
    },
    {
        "cell": "trainer",
        "passes": False,
        "why": "shuffles X but takes the labels in their stored order",
        "message": "wrong examples",
        "source": '''
class Trainer:
    def __init__(self, net, loss, optimizer, batch_size=32, seed=0):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.history = []

    def fit(self, X, y, epochs=1):
        for _ in range(epochs):
            Xs = X[self.rng.permutation(len(X))]
            losses = []
            for start in range(0, len(X), self.batch_size):
                losses.append(self.loss.forward(self.net.forward(Xs[start:start + self.batch_size]),
                                                y[start:start + self.batch_size]))
                self.net.backward(self.loss.backward())
                self.optimizer.step(self.net)
            self.history.append(float(np.mean(losses)))
        return self.history
''',
    },
]
