"""Alternative answers for chapter 01: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # --- pairwise_sq_dists -------------------------------------------------------------------------------------
    {
        "cell": "pairwise_sq_dists",
        "passes": True,
        "why": "broadcast difference (B, n, 1, d) - (B, 1, m, d), squared and summed over d",
        "source": '''
def pairwise_sq_dists(X, Y):
    diff = X[:, :, None, :] - Y[:, None, :, :]
    return (diff ** 2).sum(axis=-1)
''',
    },
    {
        "cell": "pairwise_sq_dists",
        "passes": True,
        "why": "expansion with @ and swapaxes, no clipping",
        "source": '''
def pairwise_sq_dists(X, Y):
    xx = (X ** 2).sum(-1)[:, :, None]
    yy = (Y ** 2).sum(-1)[:, None, :]
    return xx + yy - 2 * X @ np.swapaxes(Y, 1, 2)
''',
    },
    {
        "cell": "pairwise_sq_dists",
        "passes": False,
        "why": "returns Euclidean distances (takes the square root)",
        "message": "no square root",
        "source": '''
def pairwise_sq_dists(X, Y):
    diff = X[:, :, None, :] - Y[:, None, :, :]
    return np.sqrt((diff ** 2).sum(axis=-1))
''',
    },
    {
        "cell": "pairwise_sq_dists",
        "passes": False,
        "why": "drops the factor 2 on the cross term",
        "message": "2 x·y",
        "source": '''
def pairwise_sq_dists(X, Y):
    xx = np.einsum("bnd,bnd->bn", X, X)
    yy = np.einsum("bmd,bmd->bm", Y, Y)
    return xx[:, :, None] - np.einsum("bnd,bmd->bnm", X, Y) + yy[:, None, :]
''',
    },
    # --- gram_schmidt ------------------------------------------------------------------------------------------
    {
        "cell": "gram_schmidt",
        "passes": True,
        "why": "classical Gram-Schmidt, projections of the original column computed all at once",
        "source": '''
def gram_schmidt(A):
    m, n = A.shape
    Q = np.zeros((m, n))
    for j in range(n):
        u = A[:, j] - Q[:, :j] @ (Q[:, :j].T @ A[:, j])
        Q[:, j] = u / np.linalg.norm(u)
    return Q
''',
    },
    {
        "cell": "gram_schmidt",
        "passes": True,
        "why": "np.linalg.qr with the signs fixed so that R has a positive diagonal",
        "source": '''
def gram_schmidt(A):
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))
''',
    },
    {
        "cell": "gram_schmidt",
        "passes": False,
        "why": "forgets to normalise the columns",
        "message": "orthonormal",
        "source": '''
def gram_schmidt(A):
    m, n = A.shape
    Q = np.zeros((m, n))
    for j in range(n):
        u = A[:, j].copy()
        for i in range(j):
            u -= (Q[:, i] @ A[:, j]) / (Q[:, i] @ Q[:, i]) * Q[:, i]
        Q[:, j] = u
    return Q
''',
    },
    {
        "cell": "gram_schmidt",
        "passes": False,
        "why": "projects onto the original columns a_i instead of the orthonormal q_i",
        "message": "orthonormal",
        "source": '''
def gram_schmidt(A):
    m, n = A.shape
    Q = np.zeros((m, n))
    for j in range(n):
        u = A[:, j].copy()
        for i in range(j):
            a = A[:, i] / np.linalg.norm(A[:, i])
            u -= (a @ A[:, j]) * a
        Q[:, j] = u / np.linalg.norm(u)
    return Q
''',
    },
    {
        "cell": "gram_schmidt",
        "passes": False,
        "why": "modified Gram-Schmidt that overwrites the caller's A in place",
        "message": "in place",
        "source": '''
def gram_schmidt(A):
    n = A.shape[1]
    for j in range(n):
        for i in range(j):
            A[:, j] -= (A[:, i] @ A[:, j]) * A[:, i]
        A[:, j] /= np.linalg.norm(A[:, j])
    return A
''',
    },
    # --- low_rank ----------------------------------------------------------------------------------------------
    {
        "cell": "low_rank",
        "passes": True,
        "why": "sum of the first k rank-one layers sigma_i u_i v_i^T",
        "source": '''
def low_rank(A, k):
    U, s, Vt = np.linalg.svd(A)
    return sum(s[i] * np.outer(U[:, i], Vt[i]) for i in range(k))
''',
    },
    {
        "cell": "low_rank",
        "passes": True,
        "why": "projects the rows of A onto the top-k right singular vectors: A V_k V_k^T",
        "source": '''
def low_rank(A, k):
    Vk = np.linalg.svd(A, full_matrices=False)[2][:k]
    return A @ Vk.T @ Vk
''',
    },
    {
        "cell": "low_rank",
        "passes": False,
        "why": "off-by-one: keeps k + 1 singular triplets",
        "message": "exactly the first k",
        "source": '''
def low_rank(A, k):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U[:, :k + 1] @ np.diag(s[:k + 1]) @ Vt[:k + 1]
''',
    },
    {
        "cell": "low_rank",
        "passes": False,
        "why": "forgets the singular values: U_k V_k^T",
        "message": "Eckart",
        "source": '''
def low_rank(A, k):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U[:, :k] @ Vt[:k]
''',
    },
    # --- pca ---------------------------------------------------------------------------------------------------
    {
        "cell": "pca",
        "passes": True,
        "why": "eigh of np.cov, re-sorted in decreasing order",
        "source": '''
def pca(X, k):
    w, V = np.linalg.eigh(np.cov(X, rowvar=False))
    order = np.argsort(w)[::-1][:k]
    return V[:, order].T, w[order]
''',
    },
    {
        "cell": "pca",
        "passes": True,
        "why": "scikit-learn's PCA (components_ and explained_variance_ use n - 1 too)",
        "source": '''
def pca(X, k):
    from sklearn.decomposition import PCA
    model = PCA(n_components=k, svd_solver="full").fit(X)
    return model.components_, model.explained_variance_
''',
    },
    {
        "cell": "pca",
        "passes": False,
        "why": "does not centre X before the SVD",
        "message": "centre",
        "source": '''
def pca(X, k):
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    return Vt[:k], s[:k] ** 2 / (len(X) - 1)
''',
    },
    {
        "cell": "pca",
        "passes": False,
        "why": "divides by n instead of n - 1",
        "message": "n - 1",
        "source": '''
def pca(X, k):
    Xc = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Vt[:k], s[:k] ** 2 / len(X)
''',
    },
    {
        "cell": "pca",
        "passes": False,
        "why": "returns the components as columns (d, k) instead of rows",
        "message": "one component per row",
        "source": '''
def pca(X, k):
    Xc = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Vt[:k].T, s[:k] ** 2 / (len(X) - 1)
''',
    },
    {
        "cell": "pca",
        "passes": False,
        "why": "takes eigh's eigenpairs in its increasing order (the smallest variances)",
        "message": "largest first",
        "source": '''
def pca(X, k):
    w, V = np.linalg.eigh(np.cov(X, rowvar=False))
    return V[:, :k].T, w[:k]
''',
    },
    # --- power_iteration ---------------------------------------------------------------------------------------
    {
        "cell": "power_iteration",
        "passes": True,
        "why": "eigenvalue as ||A v|| (valid for SPD), convergence test before the update",
        "source": '''
def power_iteration(A, v0=None, n_iter=1000, tol=1e-12):
    v = np.random.default_rng(0).standard_normal(len(A)) if v0 is None else np.asarray(v0, dtype=float)
    v = v / np.linalg.norm(v)
    lam = float(v @ A @ v)
    for _ in range(n_iter):
        Av = A @ v
        lam = np.linalg.norm(Av)
        v_new = Av / lam
        if np.linalg.norm(v_new - v) < tol:
            v = v_new
            break
        v = v_new
    return lam, v
''',
    },
    {
        "cell": "power_iteration",
        "passes": True,
        "why": "ignores tol and always takes n_iter steps (allowed: tol only permits stopping early)",
        "source": '''
def power_iteration(A, v0=None, n_iter=1000, tol=1e-12):
    v = np.ones(len(A)) if v0 is None else np.array(v0, dtype=float)
    for _ in range(n_iter):
        v = A @ v
        v /= np.sqrt(v @ v)
    v /= np.linalg.norm(v)
    return v @ A @ v, v
''',
    },
    {
        "cell": "power_iteration",
        "passes": False,
        "why": "no normalisation inside the loop (only at the end): A^t v overflows or underflows",
        "message": "normalise",
        "source": '''
def power_iteration(A, v0=None, n_iter=1000, tol=1e-12):
    v = np.random.default_rng(0).standard_normal(len(A)) if v0 is None else np.asarray(v0, dtype=float)
    for _ in range(n_iter):
        v = A @ v
    v = v / np.linalg.norm(v)
    return float(v @ A @ v), v
''',
    },
    {
        "cell": "power_iteration",
        "passes": False,
        "why": "returns A v (not normalised) as the eigenvector",
        "message": "unit vector",
        "source": '''
def power_iteration(A, v0=None, n_iter=1000, tol=1e-12):
    v = np.random.default_rng(0).standard_normal(len(A)) if v0 is None else np.asarray(v0, dtype=float)
    for _ in range(n_iter):
        v = A @ v / np.linalg.norm(A @ v)
    lam = float(v @ A @ v)
    return lam, A @ v
''',
    },
    # --- pagerank ----------------------------------------------------------------------------------------------
    {
        "cell": "pagerank",
        "passes": True,
        "why": "solves the linear system (I - d M) r = (1 - d)/n 1 directly",
        "source": '''
def pagerank(adj, d=0.85, tol=1e-12, max_iter=1000):
    adj = np.asarray(adj, dtype=float)
    n = len(adj)
    out = adj.sum(axis=1)
    P = adj.copy()
    P[out == 0] = 1.0
    P /= P.sum(axis=1, keepdims=True)
    r = np.linalg.solve(np.eye(n) - d * P.T, np.full(n, (1 - d) / n))
    return r / r.sum()
''',
    },
    {
        "cell": "pagerank",
        "passes": True,
        "why": "builds the dense Google matrix and takes its eigenvector for eigenvalue 1",
        "source": '''
def pagerank(adj, d=0.85, tol=1e-12, max_iter=1000):
    adj = np.asarray(adj, dtype=float)
    n = len(adj)
    out = adj.sum(axis=1, keepdims=True)
    M = np.where(out > 0, adj / np.where(out > 0, out, 1), 1 / n).T
    G = d * M + (1 - d) / n * np.ones((n, n))
    w, V = np.linalg.eig(G)
    r = np.abs(np.real(V[:, np.argmin(np.abs(w - 1))]))
    return r / r.sum()
''',
    },
    {
        "cell": "pagerank",
        "passes": False,
        "why": "rows vs columns: iterates with the row-normalised adj instead of its transpose",
        "message": "column-stochastic",
        "source": '''
def pagerank(adj, d=0.85, tol=1e-12, max_iter=1000):
    adj = np.asarray(adj, dtype=float)
    n = len(adj)
    out = adj.sum(axis=1, keepdims=True)
    P = np.where(out > 0, adj / np.where(out > 0, out, 1), 1 / n)
    r = np.full(n, 1 / n)
    for _ in range(max_iter):
        r = d * P @ r + (1 - d) / n
    return r / r.sum()
''',
    },
    {
        "cell": "pagerank",
        "passes": False,
        "why": "forgets dangling pages: their rank leaks away and r no longer sums to 1",
        "message": "dangling",
        "source": '''
def pagerank(adj, d=0.85, tol=1e-12, max_iter=1000):
    adj = np.asarray(adj, dtype=float)
    n = len(adj)
    out = adj.sum(axis=1, keepdims=True)
    M = (adj / np.maximum(out, 1)).T
    r = np.full(n, 1 / n)
    for _ in range(max_iter):
        r = d * M @ r + (1 - d) / n
    return r
''',
    },
    {
        "cell": "pagerank",
        "passes": False,
        "why": "forgets dangling pages but renormalises at the end: sums to 1, yet not a fixed point of G",
        "message": "dangling",
        "source": '''
def pagerank(adj, d=0.85, tol=1e-12, max_iter=1000):
    adj = np.asarray(adj, dtype=float)
    n = len(adj)
    out = adj.sum(axis=1, keepdims=True)
    M = (adj / np.maximum(out, 1)).T
    r = np.full(n, 1 / n)
    for _ in range(max_iter):
        r = d * M @ r + (1 - d) / n
        r = r / r.sum()
    return r
''',
    },
]
