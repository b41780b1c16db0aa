"""Alternative answers for chapter 06: each replaces one answer cell and must pass or fail its test cell.

The three engine exercises are whole classes, so their variants start from the reference class (``_DUAL``,
``_VALUE``, ``_TENSOR`` below, the solution cells without the solution markers) and change one thing with
:func:`_edit`, which refuses to apply an edit whose target text is missing (so a variant cannot silently become
the reference).
"""


def _edit(source: str, *pairs: str) -> str:
    """Replace each old text (exactly once) by its new text: _edit(src, old1, new1, old2, new2, ...)."""
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert source.count(old) == 1, f"variant edit target not found exactly once: {old!r}"
        source = source.replace(old, new)
    return source


_DUAL = '''
class Dual:
    """A dual number val + eps·ε with ε² = 0: a value and its derivative along one input direction."""

    def __init__(self, val, eps=0.0):
        self.val = float(val)
        self.eps = float(eps)

    def __repr__(self):
        return f"Dual({self.val:.6g}, {self.eps:.6g})"

    @staticmethod
    def lift(x):
        """A plain number is a constant: derivative 0."""
        return x if isinstance(x, Dual) else Dual(x, 0.0)

    def __add__(self, other):
        other = Dual.lift(other)
        out = Dual(self.val + other.val, self.eps + other.eps)
        return out

    def __mul__(self, other):
        other = Dual.lift(other)
        out = Dual(self.val * other.val, self.val * other.eps + self.eps * other.val)
        return out

    def __truediv__(self, other):
        other = Dual.lift(other)
        out = Dual(self.val / other.val, (self.eps * other.val - self.val * other.eps) / other.val ** 2)
        return out

    def sin(self):
        out = Dual(math.sin(self.val), math.cos(self.val) * self.eps)
        return out

    def exp(self):
        out = Dual(math.exp(self.val), math.exp(self.val) * self.eps)
        return out

    # worked examples of the pattern g(a + bε) = g(a) + g'(a)·b·ε
    def cos(self):
        return Dual(math.cos(self.val), -math.sin(self.val) * self.eps)

    def log(self):
        return Dual(math.log(self.val), self.eps / self.val)

    def __pow__(self, k):
        """x ** k for a constant number k."""
        return Dual(self.val ** k, k * self.val ** (k - 1) * self.eps)

    # rewrites: no derivative rules of their own
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Dual.lift(other))

    def __rsub__(self, other):
        return Dual.lift(other) - self

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Dual.lift(other) / self


def derivative(f, x):
    """f'(x) by forward mode: one evaluation of f on the dual number x + 1·ε.

    f: a function of one argument built from Dual arithmetic (+, -, *, /, **, .sin(), .exp(), ...).
    x: a float. Returns f'(x) as a float.
    """
    slope = Dual.lift(f(Dual(x, 1.0))).eps
    return float(slope)
'''

_VALUE = '''
class Value:
    """A scalar in a computation graph: its value, d(output)/d(self), and how to pass gradients to its parents."""

    def __init__(self, data, _parents=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None     # a leaf has nobody to pass its gradient to
        self._parents = tuple(_parents)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        """self ** k for a constant number k."""
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def backward(self):
        """Set .grad of every node this one depends on to d(self)/d(node), for a fresh graph."""
        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()

    # rewrites: no gradient code of their own
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return self ** -1 * other
'''

_TENSOR = '''
def unbroadcast(grad, shape):
    """Sum a gradient that has the broadcast result's shape back down to an operand's shape.

    grad: array of the broadcast shape, e.g. (N, D); shape: the operand's shape, e.g. (D,), (1, D), (N, 1) or ().
    Returns an array of exactly `shape`: grad summed over the leading axes broadcasting added and over every axis
    where `shape` has size 1.
    """
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array in a computation graph: data and grad are float64 NumPy arrays of the same shape."""

    def __init__(self, data, _parents=(), _op=""):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self._backward = lambda: None
        self._parents = tuple(_parents)
        self._op = _op

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Tensor(shape={self.data.shape}, op={self._op!r})"

    def __add__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)
        out = Tensor(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += unbroadcast(out.grad, self.data.shape)
            other.grad += unbroadcast(out.grad, other.data.shape)

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)
        out = Tensor(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += unbroadcast(other.data * out.grad, self.data.shape)
            other.grad += unbroadcast(self.data * out.grad, other.data.shape)

        out._backward = _backward
        return out

    def __matmul__(self, other):
        """(N, K) @ (K, M) -> (N, M); 2-D operands only."""
        out = Tensor(self.data @ other.data, (self, other), "@")

        def _backward():
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad

        out._backward = _backward
        return out

    def sum(self, axis=None, keepdims=False):
        """Sum over all entries (axis=None) or over one axis, like np.sum."""
        out = Tensor(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum")

        def _backward():
            g = out.grad if axis is None or keepdims else np.expand_dims(out.grad, axis)
            self.grad += np.broadcast_to(g, self.data.shape)

        out._backward = _backward
        return out

    def backward(self):
        """Fill .grad of every tensor this scalar depends on with d(self)/d(tensor), for a fresh graph."""
        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)
        self.grad = np.ones_like(self.data)
        for v in reversed(order):
            v._backward()

    # worked examples: elementwise operations, so no broadcasting to undo
    def relu(self):
        out = Tensor(np.maximum(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Tensor(np.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = Tensor(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    # rewrites: no gradient code of their own
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other if isinstance(other, Tensor) else -np.asarray(other))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return (-self) + other

    def mean(self):
        return self.sum() * (1.0 / self.data.size)
'''

VARIANTS = [
    # ---- dual_numbers -------------------------------------------------------------------------------------------
    {
        "cell": "dual_numbers",
        "passes": True,
        "why": "NumPy functions, exp computed once, division as multiplication by a dual reciprocal, no lift in derivative",
        "source": _edit(
            _DUAL,
            "out = Dual(math.sin(self.val), math.cos(self.val) * self.eps)",
            "out = Dual(np.sin(self.val), self.eps * np.cos(self.val))",
            "out = Dual(math.exp(self.val), math.exp(self.val) * self.eps)",
            "e = math.exp(self.val)\n        out = Dual(e, e * self.eps)",
            "out = Dual(self.val / other.val, (self.eps * other.val - self.val * other.eps) / other.val ** 2)",
            "out = self * Dual(1.0 / other.val, -other.eps / other.val ** 2)",
            "slope = Dual.lift(f(Dual(x, 1.0))).eps",
            "slope = f(Dual(x, 1.0)).eps",
        ),
    },
    {
        "cell": "dual_numbers",
        "passes": False,
        "why": "product rule as the product of the eps parts (b·d)",
        "message": "product rule",
        "source": _edit(_DUAL, "self.val * other.eps + self.eps * other.val", "self.eps * other.eps"),
    },
    {
        "cell": "dual_numbers",
        "passes": False,
        "why": "product rule with only one cross term",
        "message": "product rule",
        "source": _edit(_DUAL, "self.val * other.eps + self.eps * other.val", "self.eps * other.val"),
    },
    {
        "cell": "dual_numbers",
        "passes": False,
        "why": "quotient rule with the sign of the numerator flipped",
        "message": "quotient rule",
        "source": _edit(_DUAL, "(self.eps * other.val - self.val * other.eps)", "(self.val * other.eps - self.eps * other.val)"),
    },
    {
        "cell": "dual_numbers",
        "passes": False,
        "why": "derivative by central differences: two calls of f and only ~1e-10 accurate",
        "message": "one call",
        "source": _edit(_DUAL, "slope = Dual.lift(f(Dual(x, 1.0))).eps",
                        "slope = (f(Dual(x + 1e-6)).val - f(Dual(x - 1e-6)).val) / 2e-6"),
    },
    # ---- value_engine -------------------------------------------------------------------------------------------
    {
        "cell": "value_engine",
        "passes": True,
        "why": "Kahn's algorithm: count each node's consumers, release a node when all of them have run",
        "source": _edit(
            _VALUE,
            """        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()""",
            """        consumers, stack, seen = {}, [self], {self}
        while stack:
            v = stack.pop()
            for p in v._parents:
                consumers[p] = consumers.get(p, 0) + 1
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        self.grad = 1.0
        ready = [self]
        while ready:
            v = ready.pop()
            v._backward()
            for p in v._parents:
                consumers[p] -= 1
                if consumers[p] == 0:
                    ready.append(p)""",
            "self.grad += out.data * out.grad",
            "self.grad += math.exp(self.data) * out.grad",
        ),
    },
    {
        "cell": "value_engine",
        "passes": True,
        "why": "iterative depth-first post-order with an explicit stack; tanh rule via cosh",
        "source": _edit(
            _VALUE,
            """        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)""",
            """        order, visited, stack = [], set(), [(self, False)]
        while stack:
            v, expanded = stack.pop()
            if expanded:
                order.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((p, False) for p in v._parents)""",
            "self.grad += (1 - out.data ** 2) * out.grad",
            "self.grad += out.grad / math.cosh(self.data) ** 2",
        ),
    },
    {
        "cell": "value_engine",
        "passes": False,
        "why": "assigns gradients (=) instead of accumulating (+=)",
        "message": "+=",
        "source": _edit(
            _VALUE,
            "self.grad += out.grad\n            other.grad += out.grad",
            "self.grad = out.grad\n            other.grad = out.grad",
            "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
            "self.grad = other.data * out.grad\n            other.grad = self.data * out.grad",
        ),
    },
    {
        "cell": "value_engine",
        "passes": False,
        "why": "backward recurses from the output without a topological order (right on trees only)",
        "message": "topological",
        "source": _edit(
            _VALUE,
            """        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()""",
            """        def go(v):
            v._backward()
            for parent in v._parents:
                go(parent)

        self.grad = 1.0
        go(self)""",
        ),
    },
    {
        "cell": "value_engine",
        "passes": False,
        "why": "breadth-first walk with a visited set: a node may run before all its consumers have added",
        "message": "topological",
        "source": _edit(
            _VALUE,
            """        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for parent in v._parents:
                    visit(parent)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()""",
            """        self.grad = 1.0
        queue, seen = [self], {self}
        while queue:
            v = queue.pop(0)
            v._backward()
            for p in v._parents:
                if p not in seen:
                    seen.add(p)
                    queue.append(p)""",
        ),
    },
    {
        "cell": "value_engine",
        "passes": False,
        "why": "tanh derivative as 1 - x² instead of 1 - tanh²(x)",
        "message": "tanh",
        "source": _edit(_VALUE, "self.grad += (1 - out.data ** 2) * out.grad", "self.grad += (1 - self.data ** 2) * out.grad"),
    },
    # ---- tensor_engine ------------------------------------------------------------------------------------------
    {
        "cell": "tensor_engine",
        "passes": True,
        "why": "unbroadcast with one np.sum over an axis tuple and a reshape; matmul gradients with np.dot and a transpose",
        "source": _edit(
            _TENSOR,
            """    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)""",
            """    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1)
    grad = np.sum(grad, axis=axes).reshape(shape)""",
            "other.grad += self.data.T @ out.grad",
            "other.grad += np.dot(out.grad.T, self.data).T",
        ),
    },
    {
        "cell": "tensor_engine",
        "passes": True,
        "why": "sum's backward by repeating along the summed axis instead of broadcast_to",
        "source": _edit(
            _TENSOR,
            """            g = out.grad if axis is None or keepdims else np.expand_dims(out.grad, axis)
            self.grad += np.broadcast_to(g, self.data.shape)""",
            """            if axis is None:
                self.grad += np.full(self.data.shape, float(out.grad))
            else:
                g = out.grad if keepdims else np.expand_dims(out.grad, axis)
                self.grad += np.repeat(g, self.data.shape[axis], axis=axis)""",
        ),
    },
    {
        "cell": "tensor_engine",
        "passes": False,
        "why": "unbroadcast returns the broadcast-shaped gradient unchanged",
        "message": "wrong shape",
        "source": _edit(
            _TENSOR,
            """    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)""",
            "    grad = grad",
        ),
    },
    {
        "cell": "tensor_engine",
        "passes": False,
        "why": "unbroadcast sums the leading axes only and forgets size-1 axes like an (N, 1) column",
        "message": "size 1",
        "source": _edit(
            _TENSOR,
            """    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)""",
            "",
        ),
    },
    {
        "cell": "tensor_engine",
        "passes": False,
        "why": "the backward of * does not reduce the broadcast gradient",
        "message": "unbroadcast",
        "source": _edit(
            _TENSOR,
            "self.grad += unbroadcast(other.data * out.grad, self.data.shape)\n"
            "            other.grad += unbroadcast(self.data * out.grad, other.data.shape)",
            "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
        ),
    },
    {
        "cell": "tensor_engine",
        "passes": False,
        "why": "matmul gradient of B multiplied in the wrong order",
        "message": "A.T @ G",
        "source": _edit(_TENSOR, "other.grad += self.data.T @ out.grad", "other.grad += (out.grad.T @ self.data)"),
    },
    # ---- mlp_module ---------------------------------------------------------------------------------------------
    {
        "cell": "mlp_module",
        "passes": True,
        "why": "nn.Sequential",
        "source": '''
class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_out))

    def forward(self, x):
        return self.net(x)
''',
    },
    {
        "cell": "mlp_module",
        "passes": True,
        "why": "named layers with F.relu",
        "source": '''
class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        return self.fc2(h)
''',
    },
    {
        "cell": "mlp_module",
        "passes": False,
        "why": "applies softmax at the output (cross_entropy then applies it twice)",
        "message": "no softmax",
        "source": '''
class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return torch.softmax(self.out(torch.relu(self.hidden(x))), dim=1)
''',
    },
    {
        "cell": "mlp_module",
        "passes": False,
        "why": "no non-linearity between the layers",
        "message": "ReLU between the layers",
        "source": '''
class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(self.hidden(x))
''',
    },
    {
        "cell": "mlp_module",
        "passes": False,
        "why": "layers kept in a plain Python list, so their parameters are not registered",
        "message": "plain Python list",
        "source": '''
class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.layers = [nn.Linear(n_in, n_hidden), nn.Linear(n_hidden, n_out)]

    def forward(self, x):
        return self.layers[1](torch.relu(self.layers[0](x)))
''',
    },
    # ---- train_step ---------------------------------------------------------------------------------------------
    {
        "cell": "train_step",
        "passes": True,
        "why": "model.zero_grad() and a named output",
        "source": '''
def train_step(model, optimizer, loss_fn, xb, yb):
    model.train()
    model.zero_grad()
    out = model(xb)
    loss = loss_fn(out, yb)
    loss.backward()
    optimizer.step()
    return float(loss.detach())
''',
    },
    {
        "cell": "train_step",
        "passes": True,
        "why": "clears the gradients at the end of the step instead of the start (fine from a clean model)",
        "source": '''
def train_step(model, optimizer, loss_fn, xb, yb):
    model.train()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    return loss.item()
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "never zeroes the gradients: step 2 uses the sum of both steps' gradients",
        "message": "zero_grad",
        "source": '''
def train_step(model, optimizer, loss_fn, xb, yb):
    model.train()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss.item()
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "zero_grad between backward and step: the step sees no gradient",
        "message": "not between backward and step",
        "source": '''
def train_step(model, optimizer, loss_fn, xb, yb):
    model.train()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "optimizer.step() before loss.backward()",
        "message": "parameters after step 1",
        "source": '''
def train_step(model, optimizer, loss_fn, xb, yb):
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    optimizer.step()
    loss.backward()
    return loss.item()
''',
    },
    # ---- time_op ------------------------------------------------------------------------------------------------
    {
        "cell": "time_op",
        "passes": True,
        "why": "string test for CUDA, one synchronisation after the warm-up, then one before each stop; statistics.median",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    import statistics
    cuda = str(device).startswith("cuda")
    for _ in range(warmup):
        fn()
    if cuda:
        torch.cuda.synchronize()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    return float(statistics.median(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "never synchronises: times the launch only",
        "message": "only the launch",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "synchronises only after reading the clock",
        "message": "only the launch",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()
    return float(np.median(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "reports the mean, which an outlier drags up",
        "message": "the mean",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    cuda = torch.device(device).type == "cuda"
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    return float(np.mean(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "ignores the warm-up: the first, slow calls are timed",
        "message": "warm-up",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    cuda = torch.device(device).type == "cuda"
    timings = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "no synchronisation before starting the clock: the queued warm-up work is charged to the first timing",
        "message": "still queued",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    cuda = torch.device(device).type == "cuda"
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "synchronises whatever the device (crashes on machines without CUDA)",
        "message": "only when the device is",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeats):
        torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))
''',
    },
    {
        "cell": "time_op",
        "passes": False,
        "why": "recognises only the exact string 'cuda', not 'cuda:0' or torch.device('cuda')",
        "message": "every CUDA device",
        "source": '''
def time_op(fn, device, repeats=7, warmup=2):
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))
''',
    },
]
