"""Alternative answers for chapter 02: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---- lstsq_normal -------------------------------------------------------------------------------------------
    {
        "cell": "lstsq_normal",
        "passes": True,
        "why": "Cholesky solve of the normal equations with scipy",
        "source": '''
def lstsq_normal(X, y):
    import scipy.linalg
    return scipy.linalg.cho_solve(scipy.linalg.cho_factor(X.T @ X), X.T @ y)
''',
    },
    {
        "cell": "lstsq_normal",
        "passes": True,
        "why": "the textbooks' explicit inverse: less accurate, but fine on well-conditioned problems",
        "source": '''
def lstsq_normal(X, y):
    return np.linalg.inv(X.T @ X) @ X.T @ y
''',
    },
    {
        "cell": "lstsq_normal",
        "passes": False,
        "why": "turns y into a column and returns theta of shape (n, 1)",
        "message": "wrong shape",
        "source": '''
def lstsq_normal(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y.reshape(-1, 1))
''',
    },
    {
        "cell": "lstsq_normal",
        "passes": False,
        "why": "adds a small jitter to X^T X 'for stability' (that is ridge, a different answer)",
        "message": "does not match",
        "source": '''
def lstsq_normal(X, y):
    return np.linalg.solve(X.T @ X + 1e-3 * np.eye(X.shape[1]), X.T @ y)
''',
    },
    # ---- lstsq_qr -----------------------------------------------------------------------------------------------
    {
        "cell": "lstsq_qr",
        "passes": True,
        "why": "scipy's economic QR and a triangular solve",
        "source": '''
def lstsq_qr(X, y):
    import scipy.linalg
    Q, R = scipy.linalg.qr(X, mode="economic")
    return scipy.linalg.solve_triangular(R, Q.T @ y, lower=False)
''',
    },
    {
        "cell": "lstsq_qr",
        "passes": True,
        "why": "numpy QR with a general solve instead of back substitution",
        "source": '''
def lstsq_qr(X, y):
    Q, R = np.linalg.qr(X)
    return np.linalg.solve(R, Q.T @ y)
''',
    },
    {
        "cell": "lstsq_qr",
        "passes": False,
        "why": "QR of X^T X: still squares the condition number",
        "message": "nearly collinear",
        "source": '''
def lstsq_qr(X, y):
    Q, R = np.linalg.qr(X.T @ X)
    return np.linalg.solve(R, Q.T @ (X.T @ y))
''',
    },
    {
        "cell": "lstsq_qr",
        "passes": False,
        "why": "solves with R transposed",
        "message": "R, not R.T",
        "source": '''
def lstsq_qr(X, y):
    Q, R = np.linalg.qr(X)
    return np.linalg.solve(R.T, Q.T @ y)
''',
    },
    {
        "cell": "lstsq_qr",
        "passes": False,
        "why": "returns Q^T y and forgets to solve with R",
        "message": "does not match",
        "source": '''
def lstsq_qr(X, y):
    Q, R = np.linalg.qr(X)
    return Q.T @ y
''',
    },
    # ---- lstsq_svd ----------------------------------------------------------------------------------------------
    {
        "cell": "lstsq_svd",
        "passes": True,
        "why": "NumPy's pseudo-inverse with the same relative cutoff",
        "source": '''
def lstsq_svd(X, y, rcond=None):
    if rcond is None:
        rcond = max(X.shape) * np.finfo(float).eps
    return np.linalg.pinv(X, rtol=rcond) @ y
''',
    },
    {
        "cell": "lstsq_svd",
        "passes": True,
        "why": "sum over the kept singular triplets, written as a loop",
        "source": '''
def lstsq_svd(X, y, rcond=None):
    if rcond is None:
        rcond = max(X.shape) * np.finfo(float).eps
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    theta = np.zeros(X.shape[1])
    for i in range(len(s)):
        if s[i] > rcond * s.max():
            theta += (U[:, i] @ y) / s[i] * Vt[i]
    return theta
''',
    },
    {
        "cell": "lstsq_svd",
        "passes": False,
        "why": "inverts every singular value (no cutoff)",
        "message": "cutoff",
        "source": '''
def lstsq_svd(X, y, rcond=None):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Vt.T @ ((U.T @ y) / s)
''',
    },
    {
        "cell": "lstsq_svd",
        "passes": False,
        "why": "absolute cutoff s > rcond instead of s > rcond * s_max",
        "message": "relative",
        "source": '''
def lstsq_svd(X, y, rcond=None):
    if rcond is None:
        rcond = max(X.shape) * np.finfo(float).eps
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > rcond
    return Vt[keep].T @ ((U[:, keep].T @ y) / s[keep])
''',
    },
    {
        "cell": "lstsq_svd",
        "passes": False,
        "why": "uses Vt where V is needed",
        "message": "does not match",
        "source": '''
def lstsq_svd(X, y, rcond=None):
    if rcond is None:
        rcond = max(X.shape) * np.finfo(float).eps
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > rcond * s[0]
    return Vt[:, keep] @ ((U[:, keep].T @ y) / s[keep])
''',
    },
    # ---- gd_fit -------------------------------------------------------------------------------------------------
    {
        "cell": "gd_fit",
        "passes": True,
        "why": "precomputes H = (2/m) X^T X and b = (2/m) X^T y; losses collected in a list",
        "source": '''
def gd_fit(X, y, eta, steps):
    m, n = X.shape
    H, b = 2 / m * X.T @ X, 2 / m * X.T @ y
    theta = np.zeros(n)
    losses = [np.mean(y ** 2)]
    for _ in range(steps):
        theta = theta - eta * (H @ theta - b)
        losses.append(np.linalg.norm(X @ theta - y) ** 2 / m)
    return theta, np.array(losses)
''',
    },
    {
        "cell": "gd_fit",
        "passes": False,
        "why": "gradient (1/m) X^T (X theta - y): drops the factor 2",
        "message": "one step",
        "source": '''
def gd_fit(X, y, eta, steps):
    m, n = X.shape
    theta = np.zeros(n)
    losses = [np.mean((X @ theta - y) ** 2)]
    for _ in range(steps):
        theta = theta - eta / m * X.T @ (X @ theta - y)
        losses.append(np.mean((X @ theta - y) ** 2))
    return theta, np.array(losses)
''',
    },
    {
        "cell": "gd_fit",
        "passes": False,
        "why": "gradient of the sum 2 X^T (X theta - y) instead of the mean",
        "message": "one step",
        "source": '''
def gd_fit(X, y, eta, steps):
    m, n = X.shape
    theta = np.zeros(n)
    losses = [np.mean((X @ theta - y) ** 2)]
    for _ in range(steps):
        theta = theta - eta * 2 * X.T @ (X @ theta - y)
        losses.append(np.mean((X @ theta - y) ** 2))
    return theta, np.array(losses)
''',
    },
    {
        "cell": "gd_fit",
        "passes": False,
        "why": "records the sum of squares instead of the mean in the loss history",
        "message": "MEAN squared error",
        "source": '''
def gd_fit(X, y, eta, steps):
    m, n = X.shape
    theta = np.zeros(n)
    losses = [np.sum(y ** 2)]
    for _ in range(steps):
        theta = theta - eta * 2 / m * X.T @ (X @ theta - y)
        losses.append(np.sum((X @ theta - y) ** 2))
    return theta, np.array(losses)
''',
    },
    {
        "cell": "gd_fit",
        "passes": False,
        "why": "off by one: records the loss only before each update (steps values)",
        "message": "steps + 1",
        "source": '''
def gd_fit(X, y, eta, steps):
    m, n = X.shape
    theta = np.zeros(n)
    losses = []
    for _ in range(steps):
        losses.append(np.mean((X @ theta - y) ** 2))
        theta = theta - eta * 2 / m * X.T @ (X @ theta - y)
    return theta, np.array(losses)
''',
    },
    # ---- rmse ---------------------------------------------------------------------------------------------------
    {
        "cell": "rmse",
        "passes": True,
        "why": "norm divided by sqrt(m)",
        "source": '''
def rmse(y_true, y_pred):
    return float(np.linalg.norm(np.asarray(y_pred) - np.asarray(y_true)) / np.sqrt(len(y_true)))
''',
    },
    {
        "cell": "rmse",
        "passes": True,
        "why": "scikit-learn's metric",
        "source": '''
def rmse(y_true, y_pred):
    from sklearn.metrics import root_mean_squared_error
    return root_mean_squared_error(y_true, y_pred)
''',
    },
    {
        "cell": "rmse",
        "passes": False,
        "why": "the textbooks' bug: root of the SUM of squares",
        "message": "MEAN, not the sum",
        "source": '''
def rmse(y_true, y_pred):
    return float(np.sqrt(np.sum((y_pred - y_true) ** 2)))
''',
    },
    {
        "cell": "rmse",
        "passes": False,
        "why": "forgets the square root (returns the MSE)",
        "message": "the MSE gives 2",
        "source": '''
def rmse(y_true, y_pred):
    return float(np.mean((y_pred - y_true) ** 2))
''',
    },
    {
        "cell": "rmse",
        "passes": False,
        "why": "root of each squared error, then the mean (that is the mean absolute error)",
        "message": "mean absolute error",
        "source": '''
def rmse(y_true, y_pred):
    return float(np.mean(np.sqrt((y_pred - y_true) ** 2)))
''',
    },
    # ---- poly_features ------------------------------------------------------------------------------------------
    {
        "cell": "poly_features",
        "passes": True,
        "why": "np.vander with increasing powers",
        "source": '''
def poly_features(x, degree):
    return np.vander(x, degree + 1, increasing=True)
''',
    },
    {
        "cell": "poly_features",
        "passes": True,
        "why": "column_stack of explicit powers",
        "source": '''
def poly_features(x, degree):
    return np.column_stack([np.asarray(x, dtype=float) ** j for j in range(degree + 1)])
''',
    },
    {
        "cell": "poly_features",
        "passes": False,
        "why": "np.vander's default decreasing order",
        "message": "increasing powers",
        "source": '''
def poly_features(x, degree):
    return np.vander(x, degree + 1)
''',
    },
    {
        "cell": "poly_features",
        "passes": False,
        "why": "leaves out the column of ones (no intercept)",
        "message": "wrong shape",
        "source": '''
def poly_features(x, degree):
    return np.asarray(x, dtype=float)[:, None] ** np.arange(1, degree + 1)
''',
    },
    # ---- ridge_fit ----------------------------------------------------------------------------------------------
    {
        "cell": "ridge_fit",
        "passes": True,
        "why": "ordinary least squares on the augmented system [X; sqrt(lam) I] theta = [y; 0]",
        "source": '''
def ridge_fit(X, y, lam):
    n = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(n)])
    return np.linalg.lstsq(A, np.concatenate([y, np.zeros(n)]), rcond=None)[0]
''',
    },
    {
        "cell": "ridge_fit",
        "passes": True,
        "why": "SVD filter factors s / (s^2 + lam)",
        "source": '''
def ridge_fit(X, y, lam):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    return Vt.T @ (s / (s ** 2 + lam) * (U.T @ y))
''',
    },
    {
        "cell": "ridge_fit",
        "passes": False,
        "why": "the misprinted minus sign (X^T X - lam I)",
        "message": "PLUS sign",
        "source": '''
def ridge_fit(X, y, lam):
    return np.linalg.solve(X.T @ X - lam * np.eye(X.shape[1]), X.T @ y)
''',
    },
    {
        "cell": "ridge_fit",
        "passes": False,
        "why": "penalises with lam * X^T X instead of lam * I (only rescales least squares)",
        "message": "identity",
        "source": '''
def ridge_fit(X, y, lam):
    G = X.T @ X
    return np.linalg.solve(G + lam * G, X.T @ y)
''',
    },
]
