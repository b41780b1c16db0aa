"""Alternative answers for chapter 05: each replaces one answer cell and must pass or fail its test cell."""

_SGD_INIT = '''
class SGD:
    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.nesterov, self.weight_decay = nesterov, weight_decay
        self.buf = [None] * len(self.params)
'''

_RMSPROP_OK = '''
class RMSprop:
    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8):
        self.params = list(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_avg = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self.square_avg[i] = self.alpha * self.square_avg[i] + (1 - self.alpha) * g * g
            p -= self.lr * g / (np.sqrt(self.square_avg[i]) + self.eps)
'''

_ADAM_INIT = '''
class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.t = 0
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
'''

_BN_INIT = '''
class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.params = {"gamma": np.ones(num_features), "beta": np.zeros(num_features)}
        self.grads = {}
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.eps, self.momentum = eps, momentum
        self.training = True
'''

_BN_BACKWARD_OK = '''
    def backward(self, dout):
        self.grads["gamma"] = np.sum(dout * self.x_hat, axis=0)
        self.grads["beta"] = np.sum(dout, axis=0)
        dx_hat = dout * self.params["gamma"]
        if not self.mode:
            return dx_hat * self.inv_std
        return self.inv_std * (dx_hat - dx_hat.mean(axis=0) - self.x_hat * np.mean(dx_hat * self.x_hat, axis=0))
'''

_DROPOUT_INIT = '''
class Dropout:
    def __init__(self, p=0.5, rng=None):
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng
        self.params, self.grads = {}, {}
        self.training = True
'''

VARIANTS = [
    # ---- sgd ------------------------------------------------------------------------------------------------------
    {
        "cell": "sgd",
        "passes": True,
        "why": "in-place NumPy ufuncs for the buffer and p[...] assignment for the update",
        "source": _SGD_INIT + '''
    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            d = np.array(g, dtype=float)
            if self.weight_decay != 0:
                d += self.weight_decay * p
            if self.momentum != 0:
                if self.buf[i] is None:
                    self.buf[i] = d.copy()
                else:
                    np.multiply(self.buf[i], self.momentum, out=self.buf[i])
                    self.buf[i] += (1 - self.dampening) * d
                d = d + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            p[...] = p - self.lr * d
''',
    },
    {
        "cell": "sgd",
        "passes": True,
        "why": "zero-initialised buffers and a step counter instead of None for the first step",
        "source": '''
class SGD:
    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.nesterov, self.weight_decay = nesterov, weight_decay
        self.buf = [np.zeros_like(p) for p in self.params]
        self.steps = 0

    def step(self, grads):
        self.steps += 1
        for p, g, b in zip(self.params, grads, self.buf):
            g = g + self.weight_decay * p
            if self.momentum:
                b *= self.momentum
                b += g if self.steps == 1 else (1 - self.dampening) * g
                g = g + self.momentum * b if self.nesterov else b
            p -= self.lr * g
''',
    },
    {
        "cell": "sgd",
        "passes": False,
        "why": "momentum as an average: b = mu * b + (1 - mu) * g",
        "message": "b = momentum * b + g",
        "source": _SGD_INIT + '''
    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            if self.momentum:
                self.buf[i] = g.copy() if self.buf[i] is None else self.momentum * self.buf[i] + (1 - self.momentum) * g
                g = g + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            p -= self.lr * g
''',
    },
    {
        "cell": "sgd",
        "passes": False,
        "why": "dampens the first gradient too: b = (1 - dampening) * g on step 1",
        "message": "dampening scales only later gradients",
        "source": _SGD_INIT + '''
    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            if self.momentum:
                old = np.zeros_like(p) if self.buf[i] is None else self.buf[i]
                self.buf[i] = self.momentum * old + (1 - self.dampening) * g
                g = g + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            p -= self.lr * g
''',
    },
    {
        "cell": "sgd",
        "passes": False,
        "why": "Nesterov treated as plain momentum (steps along b)",
        "message": "Nesterov",
        "source": _SGD_INIT + '''
    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            if self.momentum:
                self.buf[i] = g.copy() if self.buf[i] is None else self.momentum * self.buf[i] + (1 - self.dampening) * g
                g = self.buf[i]
            p -= self.lr * g
''',
    },
    {
        "cell": "sgd",
        "passes": False,
        "why": "p = p - lr * g rebinds a local name: the parameters never change",
        "message": "in place",
        "source": _SGD_INIT + '''
    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            if self.momentum:
                self.buf[i] = g.copy() if self.buf[i] is None else self.momentum * self.buf[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            p = p - self.lr * g
''',
    },
    {
        "cell": "sgd",
        "passes": False,
        "why": "adds the weight decay into the caller's gradient array (g += wd * p)",
        "message": "changed the gradient arrays",
        "source": _SGD_INIT + '''
    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.weight_decay:
                g += self.weight_decay * p
            if self.momentum:
                self.buf[i] = g.copy() if self.buf[i] is None else self.momentum * self.buf[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            p -= self.lr * g
''',
    },
    # ---- adaptive (RMSprop and Adam) -----------------------------------------------------------------------------
    {
        "cell": "adaptive",
        "passes": True,
        "why": "torch's own arrangement of Adam: step size lr / bc1 and denominator sqrt(v) / sqrt(bc2) + eps",
        "source": _RMSPROP_OK + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        bc1, bc2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            if self.weight_decay:
                g = g + self.weight_decay * p
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g ** 2
            p -= (self.lr / bc1) * m / (np.sqrt(v) / np.sqrt(bc2) + self.eps)
''',
    },
    {
        "cell": "adaptive",
        "passes": True,
        "why": "RMSprop with in-place state updates via np.multiply/np.add and the update through p[...]",
        "source": '''
class RMSprop:
    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8):
        self.params = list(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_avg = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for p, g, s in zip(self.params, grads, self.square_avg):
            np.multiply(s, self.alpha, out=s)
            np.add(s, (1 - self.alpha) * np.square(g), out=s)
            p[...] = p - self.lr * g / (np.sqrt(s) + self.eps)
''' + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            p -= self.lr * (self.m[i] / (1 - beta1 ** self.t)) / (np.sqrt(self.v[i] / (1 - beta2 ** self.t)) + self.eps)
''',
    },
    {
        "cell": "adaptive",
        "passes": False,
        "why": "Adam without bias correction",
        "message": "bias correction",
        "source": _RMSPROP_OK + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            p -= self.lr * self.m[i] / (np.sqrt(self.v[i]) + self.eps)
''',
    },
    {
        "cell": "adaptive",
        "passes": False,
        "why": "RMSprop with eps inside the square root",
        "message": "eps outside the square root",
        "source": '''
class RMSprop:
    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8):
        self.params = list(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_avg = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self.square_avg[i] = self.alpha * self.square_avg[i] + (1 - self.alpha) * g * g
            p -= self.lr * g / np.sqrt(self.square_avg[i] + self.eps)
''' + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            p -= self.lr * (self.m[i] / (1 - beta1 ** self.t)) / (np.sqrt(self.v[i] / (1 - beta2 ** self.t)) + self.eps)
''',
    },
    {
        "cell": "adaptive",
        "passes": False,
        "why": "Adam with eps inside the square root (RMSprop correct)",
        "message": "eps outside the square root",
        "source": _RMSPROP_OK + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            p -= self.lr * (self.m[i] / (1 - beta1 ** self.t)) / np.sqrt(self.v[i] / (1 - beta2 ** self.t) + self.eps)
''',
    },
    {
        "cell": "adaptive",
        "passes": False,
        "why": "advances the step counter once per parameter instead of once per step",
        "message": "once per step",
        "source": _RMSPROP_OK + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self.t += 1
            g = g + self.weight_decay * p
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            p -= self.lr * (self.m[i] / (1 - beta1 ** self.t)) / (np.sqrt(self.v[i] / (1 - beta2 ** self.t)) + self.eps)
''',
    },
    {
        "cell": "adaptive",
        "passes": False,
        "why": "Adam's weight_decay applied to the weights (AdamW) instead of the gradient",
        "message": "adds weight_decay * p to the gradient",
        "source": _RMSPROP_OK + _ADAM_INIT + '''
    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            p *= 1 - self.lr * self.weight_decay
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            p -= self.lr * (self.m[i] / (1 - beta1 ** self.t)) / (np.sqrt(self.v[i] / (1 - beta2 ** self.t)) + self.eps)
''',
    },
    # ---- lr_schedule ---------------------------------------------------------------------------------------------
    {
        "cell": "lr_schedule",
        "passes": True,
        "why": "np.interp for warm-up and linear decay, a per-step factor gamma for exponential, integer steps",
        "source": '''
def lr_schedule(t, total, lr0, kind="constant", lr_end=0.0, warmup=0, drops=3):
    if t < warmup:
        return float(np.interp(t, [0, warmup], [0.0, lr0]))
    n = total - warmup
    if kind == "constant":
        return float(lr0)
    if kind == "linear":
        return float(np.interp(t, [warmup, total], [lr0, lr_end]))
    if kind == "exponential":
        gamma = (lr_end / lr0) ** (1 / n)
        return float(lr0 * gamma ** (t - warmup)) if t < total else float(lr_end)
    level = (drops * (t - warmup)) // n
    return float(lr0 * (lr_end / lr0) ** (level / drops))
''',
    },
    {
        "cell": "lr_schedule",
        "passes": False,
        "why": "divides by total instead of total - warmup: the decay does not reach lr_end",
        "message": "at t = 0, warmup, total",
        "source": '''
def lr_schedule(t, total, lr0, kind="constant", lr_end=0.0, warmup=0, drops=3):
    if t < warmup:
        return lr0 * t / warmup
    s = (t - warmup) / total
    return float({"constant": lr0, "linear": lr0 + (lr_end - lr0) * s,
                  "exponential": lr0 * (lr_end / lr0) ** s,
                  "step": lr0 * (lr_end / lr0) ** (np.floor(drops * s) / drops)}[kind])
''',
    },
    {
        "cell": "lr_schedule",
        "passes": False,
        "why": "off by one: divides by total - 1, so the schedule ends one step early and overshoots",
        "message": "linear schedule",
        "source": '''
def lr_schedule(t, total, lr0, kind="constant", lr_end=0.0, warmup=0, drops=3):
    if t < warmup:
        return lr0 * t / warmup
    s = (t - warmup) / (total - warmup - 1)
    return float({"constant": lr0, "linear": lr0 + (lr_end - lr0) * s,
                  "exponential": lr0 * (lr_end / lr0) ** s,
                  "step": lr0 * (lr_end / lr0) ** (np.floor(drops * s) / drops)}[kind])
''',
    },
    {
        "cell": "lr_schedule",
        "passes": False,
        "why": "warm-up of (t + 1) / W: never starts at 0",
        "message": "warm-up",
        "source": '''
def lr_schedule(t, total, lr0, kind="constant", lr_end=0.0, warmup=0, drops=3):
    if t < warmup:
        return lr0 * (t + 1) / warmup
    s = (t - warmup) / (total - warmup)
    return float({"constant": lr0, "linear": lr0 + (lr_end - lr0) * s,
                  "exponential": lr0 * (lr_end / lr0) ** s,
                  "step": lr0 * (lr_end / lr0) ** (np.floor(drops * s) / drops)}[kind])
''',
    },
    # ---- clip_grad_norm ------------------------------------------------------------------------------------------
    {
        "cell": "clip_grad_norm",
        "passes": True,
        "why": "norm of the concatenated vector; exact c / norm without torch's 1e-6",
        "source": '''
def clip_grad_norm(grads, max_norm):
    norm = float(np.linalg.norm(np.concatenate([g.ravel() for g in grads])))
    if norm > max_norm:
        return [g * (max_norm / norm) for g in grads], norm
    return [g.copy() for g in grads], norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "clips every array by its own norm: the direction changes",
        "message": "same factor",
        "source": '''
def clip_grad_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    clipped = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
    return clipped, norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "always rescales to norm max_norm, even small gradients",
        "message": "below the threshold",
        "source": '''
def clip_grad_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    return [g * max_norm / norm for g in grads], norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "adds the norms of the arrays instead of their squares",
        "message": "global norm",
        "source": '''
def clip_grad_norm(grads, max_norm):
    norm = float(sum(np.linalg.norm(g) for g in grads))
    return [g * min(1.0, max_norm / (norm + 1e-6)) for g in grads], norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "clips in place and returns the input arrays",
        "message": "changed its input arrays",
        "source": '''
def clip_grad_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    for g in grads:
        g *= min(1.0, max_norm / (norm + 1e-6))
    return grads, norm
''',
    },
    # ---- init_weights --------------------------------------------------------------------------------------------
    {
        "cell": "init_weights",
        "passes": True,
        "why": "uniform distribution with bound sqrt(3 * variance)",
        "source": '''
def init_weights(fan_in, fan_out, scheme="he", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    var = 2.0 / (fan_in + fan_out) if scheme == "glorot" else 2.0 / fan_in
    bound = np.sqrt(3.0 * var)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))
''',
    },
    {
        "cell": "init_weights",
        "passes": True,
        "why": "standard normal scaled by the standard deviation",
        "source": '''
def init_weights(fan_in, fan_out, scheme="he", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    std = np.sqrt(2.0 / (fan_in + fan_out)) if scheme == "glorot" else np.sqrt(2.0 / fan_in)
    return std * rng.standard_normal((fan_in, fan_out))
''',
    },
    {
        "cell": "init_weights",
        "passes": False,
        "why": "uses the variance as the standard deviation",
        "message": "VARIANCE",
        "source": '''
def init_weights(fan_in, fan_out, scheme="he", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    var = 2.0 / (fan_in + fan_out) if scheme == "glorot" else 2.0 / fan_in
    return rng.normal(0.0, var, size=(fan_in, fan_out))
''',
    },
    {
        "cell": "init_weights",
        "passes": False,
        "why": "He with fan_out instead of fan_in",
        "message": "fan_in only",
        "source": '''
def init_weights(fan_in, fan_out, scheme="he", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    var = 2.0 / (fan_in + fan_out) if scheme == "glorot" else 2.0 / fan_out
    return rng.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
''',
    },
    {
        "cell": "init_weights",
        "passes": False,
        "why": "returns the transposed shape (fan_out, fan_in)",
        "message": "wrong shape",
        "source": '''
def init_weights(fan_in, fan_out, scheme="he", rng=None):
    rng = np.random.default_rng() if rng is None else rng
    var = 2.0 / (fan_in + fan_out) if scheme == "glorot" else 2.0 / fan_in
    return rng.normal(0.0, np.sqrt(var), size=(fan_out, fan_in))
''',
    },
    {
        "cell": "init_weights",
        "passes": False,
        "why": "ignores rng and draws from NumPy's global generator: not reproducible",
        "message": "draw from the rng",
        "source": '''
def init_weights(fan_in, fan_out, scheme="he", rng=None):
    var = 2.0 / (fan_in + fan_out) if scheme == "glorot" else 2.0 / fan_in
    return np.random.normal(0.0, np.sqrt(var), size=(fan_in, fan_out))
''',
    },
    # ---- dropout -------------------------------------------------------------------------------------------------
    {
        "cell": "dropout",
        "passes": True,
        "why": "binomial keep mask and the scale kept separately",
        "source": _DROPOUT_INIT + '''
    def forward(self, x):
        if not self.training or self.p == 0:
            self.keep, self.scale = None, 1.0
            return x
        self.keep = self.rng.binomial(1, 1 - self.p, size=x.shape).astype(bool)
        self.scale = 1.0 / (1.0 - self.p)
        return np.where(self.keep, x * self.scale, 0.0)

    def backward(self, dout):
        return dout if self.keep is None else np.where(self.keep, dout * self.scale, 0.0)
''',
    },
    {
        "cell": "dropout",
        "passes": False,
        "why": "forgets the 1 / (1 - p) rescaling",
        "message": "1 / (1 - p)",
        "source": _DROPOUT_INIT + '''
    def forward(self, x):
        self.mask = (self.rng.random(x.shape) >= self.p) if self.training else np.ones_like(x)
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
''',
    },
    {
        "cell": "dropout",
        "passes": False,
        "why": "drops in eval mode too",
        "message": "eval mode",
        "source": _DROPOUT_INIT + '''
    def forward(self, x):
        self.mask = (self.rng.random(x.shape) >= self.p) / (1 - self.p)
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
''',
    },
    {
        "cell": "dropout",
        "passes": False,
        "why": "treats p as the keep probability",
        "message": "probability of DROPPING",
        "source": _DROPOUT_INIT + '''
    def forward(self, x):
        self.mask = (self.rng.random(x.shape) < self.p) / self.p if self.training and self.p > 0 else np.ones_like(x)
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
''',
    },
    {
        "cell": "dropout",
        "passes": False,
        "why": "draws a fresh mask in backward",
        "message": "reuse the mask",
        "source": _DROPOUT_INIT + '''
    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return x * (self.rng.random(x.shape) >= self.p) / (1 - self.p)

    def backward(self, dout):
        if not self.training or self.p == 0:
            return dout
        return dout * (self.rng.random(dout.shape) >= self.p) / (1 - self.p)
''',
    },
    # ---- batchnorm -----------------------------------------------------------------------------------------------
    {
        "cell": "batchnorm",
        "passes": True,
        "why": "staged backward through mean and variance (cs231n style), np.var(ddof=1) for the running variance",
        "source": _BN_INIT + '''
    def forward(self, x):
        self.mode = self.training
        if self.training:
            mu, var = x.mean(0), x.var(0)
            m = self.momentum
            self.running_mean = self.running_mean * (1 - m) + m * mu
            self.running_var = self.running_var * (1 - m) + m * x.var(0, ddof=1)
        else:
            mu, var = self.running_mean, self.running_var
        self.x, self.mu, self.var = x, mu, var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, dout):
        N = dout.shape[0]
        self.grads["gamma"] = (dout * self.x_hat).sum(0)
        self.grads["beta"] = dout.sum(0)
        dxh = dout * self.params["gamma"]
        if not self.mode:
            return dxh * self.inv_std
        xc = self.x - self.mu
        dvar = np.sum(dxh * xc, 0) * -0.5 * self.inv_std ** 3
        dmu = -np.sum(dxh * self.inv_std, 0) + dvar * np.mean(-2 * xc, 0)
        return dxh * self.inv_std + dvar * 2 * xc / N + dmu / N
''',
    },
    {
        "cell": "batchnorm",
        "passes": False,
        "why": "normalises with the batch statistics in eval mode",
        "message": "eval mode",
        "source": _BN_INIT + '''
    def forward(self, x):
        self.mode = self.training
        n = x.shape[0]
        mu, var = x.mean(0), x.var(0)
        if self.training:
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]
''' + _BN_BACKWARD_OK,
    },
    {
        "cell": "batchnorm",
        "passes": False,
        "why": "biased batch variance in running_var",
        "message": "UNBIASED",
        "source": _BN_INIT + '''
    def forward(self, x):
        self.mode = self.training
        if self.training:
            mu, var = x.mean(0), x.var(0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]
''' + _BN_BACKWARD_OK,
    },
    {
        "cell": "batchnorm",
        "passes": False,
        "why": "momentum weights swapped: running = momentum * running + (1 - momentum) * batch",
        "message": "(1 - momentum) * running_mean",
        "source": _BN_INIT + '''
    def forward(self, x):
        self.mode = self.training
        if self.training:
            n = x.shape[0]
            mu, var = x.mean(0), x.var(0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var * n / (n - 1)
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]
''' + _BN_BACKWARD_OK,
    },
    {
        "cell": "batchnorm",
        "passes": False,
        "why": "backward treats the batch mean and variance as constants in training mode",
        "message": "train-mode dx",
        "source": _BN_INIT + '''
    def forward(self, x):
        if self.training:
            n = x.shape[0]
            mu, var = x.mean(0), x.var(0)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * n / (n - 1)
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, dout):
        self.grads["gamma"] = np.sum(dout * self.x_hat, axis=0)
        self.grads["beta"] = np.sum(dout, axis=0)
        return dout * self.params["gamma"] * self.inv_std
''',
    },
]
