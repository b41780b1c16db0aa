"""Alternative answers for chapter 03: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---- num_grad -----------------------------------------------------------------------------------------------
    {
        "cell": "num_grad",
        "passes": True,
        "why": "flat loop over a raveled copy with unit vectors, Richardson through a nested helper",
        "source": '''
def num_grad(f, x, h=1e-5, method="central"):
    x = np.asarray(x, dtype=float)
    flat = x.ravel().copy()

    def at(z):
        return float(f(z.reshape(x.shape)))

    def d0(e, step):
        return (at(flat + step * e) - at(flat - step * e)) / (2 * step)

    out = []
    for e in np.eye(flat.size):
        if method == "forward":
            out.append((at(flat + h * e) - at(flat)) / h)
        elif method == "central":
            out.append(d0(e, h))
        elif method == "richardson":
            out.append((4 * d0(e, h) - d0(e, 2 * h)) / 3)
        else:
            raise ValueError(method)
    return np.array(out).reshape(x.shape)
''',
    },
    {
        "cell": "num_grad",
        "passes": True,
        "why": "perturbs x in place and restores each entry (like course.check.numeric_gradient)",
        "source": '''
def num_grad(f, x, h=1e-5, method="central"):
    x = np.array(x, dtype=float)
    grad = np.zeros(x.shape)

    def central(idx, step):
        old = x[idx]
        x[idx] = old + step
        fp = f(x)
        x[idx] = old - step
        fm = f(x)
        x[idx] = old
        return (fp - fm) / (2 * step)

    f0 = f(x)
    for idx in np.ndindex(*x.shape):
        if method == "forward":
            old = x[idx]
            x[idx] = old + h
            grad[idx] = (f(x) - f0) / h
            x[idx] = old
        elif method == "central":
            grad[idx] = central(idx, h)
        elif method == "richardson":
            grad[idx] = (4 * central(idx, h) - central(idx, 2 * h)) / 3
        else:
            raise ValueError(method)
    return grad
''',
    },
    {
        "cell": "num_grad",
        "passes": False,
        "why": "uses the forward difference where the central one is asked",
        "message": '"central"',
        "source": '''
def num_grad(f, x, h=1e-5, method="central"):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        z = x.copy()
        z[idx] += h
        fwd = (f(z) - f(x)) / h
        if method == "richardson":
            z2 = x.copy()
            z2[idx] += 2 * h
            grad[idx] = 2 * fwd - (f(z2) - f(x)) / (2 * h)
        else:
            grad[idx] = fwd
    return grad
''',
    },
    {
        "cell": "num_grad",
        "passes": False,
        "why": "Richardson with h and 2h swapped: (4 D0(2h) - D0(h)) / 3 is still O(h^2)",
        "message": "richardson",
        "source": '''
def num_grad(f, x, h=1e-5, method="central"):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)

    def d0(idx, step):
        zp, zm = x.copy(), x.copy()
        zp[idx] += step
        zm[idx] -= step
        return (f(zp) - f(zm)) / (2 * step)

    for idx in np.ndindex(x.shape):
        if method == "forward":
            z = x.copy()
            z[idx] += h
            grad[idx] = (f(z) - f(x)) / h
        elif method == "central":
            grad[idx] = d0(idx, h)
        else:
            grad[idx] = (4 * d0(idx, 2 * h) - d0(idx, h)) / 3
    return grad
''',
    },
    {
        "cell": "num_grad",
        "passes": False,
        "why": "Richardson built on forward differences: the O(h) term does not cancel",
        "message": "richardson",
        "source": '''
def num_grad(f, x, h=1e-5, method="central"):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)

    def fwd(idx, step):
        z = x.copy()
        z[idx] += step
        return (f(z) - f(x)) / step

    def d0(idx, step):
        zp, zm = x.copy(), x.copy()
        zp[idx] += step
        zm[idx] -= step
        return (f(zp) - f(zm)) / (2 * step)

    for idx in np.ndindex(x.shape):
        if method == "forward":
            grad[idx] = fwd(idx, h)
        elif method == "central":
            grad[idx] = d0(idx, h)
        else:
            grad[idx] = (4 * fwd(idx, h) - fwd(idx, 2 * h)) / 3
    return grad
''',
    },
    {
        "cell": "num_grad",
        "passes": False,
        "why": "perturbs every coordinate at once (a directional derivative, copied into every entry)",
        "message": "(2, 3) array",
        "source": '''
def num_grad(f, x, h=1e-5, method="central"):
    x = np.asarray(x, dtype=float)
    d0 = lambda s: (f(x + s) - f(x - s)) / (2 * s)
    if method == "forward":
        g = (f(x + h) - f(x)) / h
    elif method == "central":
        g = d0(h)
    else:
        g = (4 * d0(h) - d0(2 * h)) / 3
    return np.full(x.shape, g)
''',
    },
    # ---- backprop -----------------------------------------------------------------------------------------------
    {
        "cell": "backprop",
        "passes": True,
        "why": "pull style: each node's adjoint is the sum over its children, children found by a scan",
        "source": '''
def backprop(graph, inputs):
    values = forward(graph, inputs)
    grads = {}
    for i in range(len(graph) - 1, -1, -1):
        name = graph[i][0]
        if i == len(graph) - 1:
            grads[name] = 1.0
            continue
        total = 0.0
        for child, op, parents in graph[i + 1:]:
            if op == "input":
                continue
            local = OPS[op][1](*[values[p] for p in parents], values[child])
            total += sum(grads[child] * d for p, d in zip(parents, local) if p == name)
        grads[name] = total
    return values, grads
''',
    },
    {
        "cell": "backprop",
        "passes": True,
        "why": "push style with a defaultdict and an index over the topological order",
        "source": '''
def backprop(graph, inputs):
    from collections import defaultdict
    values = forward(graph, inputs)
    acc = defaultdict(float)
    acc[graph[-1][0]] = 1.0
    for k in range(len(graph) - 1, -1, -1):
        name, op, parents = graph[k]
        if op != "input":
            partials = OPS[op][1](*map(values.get, parents), values[name])
            for j in range(len(parents)):
                acc[parents[j]] = acc[parents[j]] + acc[name] * partials[j]
    grads = {name: float(acc[name]) for name, _, _ in graph}
    return values, grads
''',
    },
    {
        "cell": "backprop",
        "passes": False,
        "why": "overwrites a parent's adjoint instead of accumulating it",
        "message": "accumulate",
        "source": '''
def backprop(graph, inputs):
    values = forward(graph, inputs)
    grads = {name: 0.0 for name, _, _ in graph}
    grads[graph[-1][0]] = 1.0
    for name, op, parents in reversed(graph):
        if op == "input":
            continue
        local = OPS[op][1](*(values[p] for p in parents), values[name])
        for parent, partial in zip(parents, local):
            grads[parent] = grads[name] * partial
    return values, grads
''',
    },
    {
        "cell": "backprop",
        "passes": False,
        "why": "pushes the local partial only and forgets to multiply by the node's adjoint",
        "message": "adjoints of x, y, z, q",
        "source": '''
def backprop(graph, inputs):
    values = forward(graph, inputs)
    grads = {name: 0.0 for name, _, _ in graph}
    grads[graph[-1][0]] = 1.0
    for name, op, parents in reversed(graph):
        if op == "input":
            continue
        local = OPS[op][1](*(values[p] for p in parents), values[name])
        for parent, partial in zip(parents, local):
            grads[parent] += partial
    return values, grads
''',
    },
    {
        "cell": "backprop",
        "passes": False,
        "why": "walks the graph forwards, so parents are visited before their adjoints are known",
        "message": "walk reversed(graph)",
        "source": '''
def backprop(graph, inputs):
    values = forward(graph, inputs)
    grads = {name: 0.0 for name, _, _ in graph}
    grads[graph[-1][0]] = 1.0
    for name, op, parents in graph:
        if op == "input":
            continue
        local = OPS[op][1](*(values[p] for p in parents), values[name])
        for parent, partial in zip(parents, local):
            grads[parent] += grads[name] * partial
    return values, grads
''',
    },
    # ---- linear_backward ----------------------------------------------------------------------------------------
    {
        "cell": "linear_backward",
        "passes": True,
        "why": "einsum with explicit indices",
        "source": '''
def linear_backward(dN, X, W):
    dX = np.einsum("ik,jk->ij", dN, W)
    dW = np.einsum("ij,ik->jk", X, dN)
    db = np.einsum("ik->k", dN)
    return dX, dW, db
''',
    },
    {
        "cell": "linear_backward",
        "passes": True,
        "why": "sum of per-example outer products, written as a loop",
        "source": '''
def linear_backward(dN, X, W):
    dW = sum(np.outer(X[i], dN[i]) for i in range(len(X)))
    db = sum(dN[i] for i in range(len(dN)))
    dX = np.stack([W @ dN[i] for i in range(len(dN))])
    return dX, dW, db
''',
    },
    {
        "cell": "linear_backward",
        "passes": False,
        "why": "averages the bias gradient over the batch instead of summing it",
        "message": "do not average",
        "source": '''
def linear_backward(dN, X, W):
    return dN @ W.T, X.T @ dN, dN.mean(axis=0)
''',
    },
    {
        "cell": "linear_backward",
        "passes": False,
        "why": "wrong transpose in dW: dN.T @ X, shape (k, d)",
        "message": "wrong shape",
        "source": '''
def linear_backward(dN, X, W):
    return dN @ W.T, dN.T @ X, dN.sum(axis=0)
''',
    },
    {
        "cell": "linear_backward",
        "passes": False,
        "why": "sums the bias gradient over the wrong axis (features instead of the batch)",
        "message": "db",
        "source": '''
def linear_backward(dN, X, W):
    return dN @ W.T, X.T @ dN, dN.sum(axis=1)
''',
    },
    # ---- sigmoid_sum_backward -----------------------------------------------------------------------------------
    {
        "cell": "sigmoid_sum_backward",
        "passes": True,
        "why": "reuses linear_backward with sigma' written as exp(-N) / (1 + exp(-N))^2",
        "source": '''
def sigmoid_sum_backward(X, W):
    N = X @ W
    dN = np.exp(-N) / (1 + np.exp(-N)) ** 2
    dX, dW, _ = linear_backward(dN, X, W)
    return dX, dW
''',
    },
    {
        "cell": "sigmoid_sum_backward",
        "passes": True,
        "why": "sigma' via tanh: sigma'(z) = (1 - tanh(z/2)^2) / 4, with einsum",
        "source": '''
def sigmoid_sum_backward(X, W):
    dN = (1 - np.tanh(X @ W / 2) ** 2) / 4
    return np.einsum("ik,jk->ij", dN, W), np.einsum("ij,ik->jk", X, dN)
''',
    },
    {
        "cell": "sigmoid_sum_backward",
        "passes": False,
        "why": "forgets the sigma' factor (dL/dN taken as all ones)",
        "message": "book example",
        "source": '''
def sigmoid_sum_backward(X, W):
    dN = np.ones((X.shape[0], W.shape[1]))
    return dN @ W.T, X.T @ dN
''',
    },
    {
        "cell": "sigmoid_sum_backward",
        "passes": False,
        "why": "writes sigma'(N) as N (1 - N)",
        "message": "book example",
        "source": '''
def sigmoid_sum_backward(X, W):
    N = X @ W
    dN = N * (1 - N)
    return dN @ W.T, X.T @ dN
''',
    },
    {
        "cell": "sigmoid_sum_backward",
        "passes": False,
        "why": "transposed product dN.T @ X for dW (shape (k, d))",
        "message": "wrong shape",
        "source": '''
def sigmoid_sum_backward(X, W):
    S = sigmoid(X @ W)
    dN = S * (1 - S)
    return dN @ W.T, dN.T @ X
''',
    },
    # ---- hessian_fd ---------------------------------------------------------------------------------------------
    {
        "cell": "hessian_fd",
        "passes": True,
        "why": "Jacobian of a central-difference gradient, then symmetrised",
        "source": '''
def hessian_fd(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    n = x.size
    E = np.eye(n) * h

    def grad(z):
        return np.array([(f(z + E[i]) - f(z - E[i])) / (2 * h) for i in range(n)])

    J = np.stack([(grad(x + E[j]) - grad(x - E[j])) / (2 * h) for j in range(n)], axis=1)
    return (J + J.T) / 2
''',
    },
    {
        "cell": "hessian_fd",
        "passes": True,
        "why": "second differences on the diagonal, four-point formula off it, full matrix then symmetrised",
        "source": '''
def hessian_fd(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    n = x.size
    H = np.zeros((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = h
        H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h**2
        for j in range(n):
            if j != i:
                ej = np.zeros(n)
                ej[j] = h
                H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h**2)
    return 0.5 * (H + H.T)
''',
    },
    {
        "cell": "hessian_fd",
        "passes": False,
        "why": "not symmetrised: a forward-difference Jacobian of the central gradient",
        "message": "symmetric",
        "source": '''
def hessian_fd(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    n = x.size
    E = np.eye(n) * h

    def grad(z):
        return np.array([(f(z + E[i]) - f(z - E[i])) / (2 * h) for i in range(n)])

    g0 = grad(x)
    return np.stack([(grad(x + E[j]) - g0) / h for j in range(n)], axis=1)
''',
    },
    {
        "cell": "hessian_fd",
        "passes": False,
        "why": "divides the four-point formula by 2h^2 instead of 4h^2",
        "message": "does not match",
        "source": '''
def hessian_fd(f, x, h=1e-4):
    x = np.asarray(x, dtype=float)
    n = x.size
    E = h * np.eye(n)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j])
                                 - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (2 * h * h)
    return H
''',
    },
    # ---- classify_stationary_point ------------------------------------------------------------------------------
    {
        "cell": "classify_stationary_point",
        "passes": True,
        "why": "counts eigenvalues above and below the tolerance",
        "source": '''
def classify_stationary_point(f, x, tol=1e-4):
    H = hessian_fd(f, x)
    lam = np.linalg.eigvalsh(H)
    pos, neg, n = int(np.sum(lam > tol)), int(np.sum(lam < -tol)), len(lam)
    if pos and neg:
        return "saddle"
    if pos == n:
        return "minimum"
    if neg == n:
        return "maximum"
    return "degenerate"
''',
    },
    {
        "cell": "classify_stationary_point",
        "passes": True,
        "why": "Cholesky tests for definiteness, eigenvalues only to tell a saddle from a degenerate point",
        "source": '''
def classify_stationary_point(f, x, tol=1e-4):
    H = hessian_fd(f, np.asarray(x, dtype=float))
    I = np.eye(len(H))
    try:
        np.linalg.cholesky(H - tol * I)
        return "minimum"
    except np.linalg.LinAlgError:
        pass
    try:
        np.linalg.cholesky(-H - tol * I)
        return "maximum"
    except np.linalg.LinAlgError:
        pass
    lam = np.linalg.eigvalsh(H)
    return "saddle" if lam.max() > tol and lam.min() < -tol else "degenerate"
''',
    },
    {
        "cell": "classify_stationary_point",
        "passes": False,
        "why": "reads the signs of the Hessian's diagonal instead of its eigenvalues",
        "message": "diagonal is positive",
        "source": '''
def classify_stationary_point(f, x, tol=1e-4):
    d = np.diag(hessian_fd(f, x))
    if d.max() > tol and d.min() < -tol:
        return "saddle"
    if d.min() > tol:
        return "minimum"
    if d.max() < -tol:
        return "maximum"
    return "degenerate"
''',
    },
    {
        "cell": "classify_stationary_point",
        "passes": False,
        "why": "treats a zero eigenvalue as positive (semi-definite counted as a minimum)",
        "message": "degenerate",
        "source": '''
def classify_stationary_point(f, x, tol=1e-4):
    lam = np.linalg.eigvalsh(hessian_fd(f, x))
    if lam.min() >= -tol:
        return "minimum"
    if lam.max() <= tol:
        return "maximum"
    return "saddle"
''',
    },
    {
        "cell": "classify_stationary_point",
        "passes": False,
        "why": "uses the 2x2 determinant-and-trace rule in n dimensions",
        "message": "expected 'saddle'",
        "source": '''
def classify_stationary_point(f, x, tol=1e-4):
    H = hessian_fd(f, x)
    det = np.linalg.det(H)
    if abs(det) <= tol:
        return "degenerate"
    if det < 0:
        return "saddle"
    return "minimum" if np.trace(H) > 0 else "maximum"
''',
    },
]
