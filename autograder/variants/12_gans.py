"""Alternative answers for chapter 12: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ------------------------------------------------------------------ gda
    {
        "cell": "gda",
        "passes": True,
        "why": "preallocated array, tuple unpacking, alternating written with explicit new values",
        "source": '''
def gda(grad_fn, z0, lr, steps, simultaneous=True):
    path = np.empty((steps + 1, 2))
    path[0] = z0
    for t in range(steps):
        x, y = path[t]
        if simultaneous:
            dx, dy = grad_fn(x, y)
            path[t + 1] = (x - lr * dx, y + lr * dy)
        else:
            _, dy = grad_fn(x, y)
            y_next = y + lr * dy
            dx, _ = grad_fn(x, y_next)
            path[t + 1] = (x - lr * dx, y_next)
    return path
''',
    },
    {
        "cell": "gda",
        "passes": False,
        "why": "alternating with a stale gradient: one grad_fn call per step, y then x (simultaneous in disguise)",
        "message": "NEW y",
        "source": '''
def gda(grad_fn, z0, lr, steps, simultaneous=True):
    x, y = float(z0[0]), float(z0[1])
    path = [(x, y)]
    for _ in range(steps):
        gx, gy = grad_fn(x, y)
        if simultaneous:
            x, y = x - lr * gx, y + lr * gy
        else:
            y = y + lr * gy
            x = x - lr * gx
        path.append((x, y))
    return np.array(path)
''',
    },
    {
        "cell": "gda",
        "passes": False,
        "why": "both players descend (sign error for the maximiser)",
        "message": "y ascends",
        "source": '''
def gda(grad_fn, z0, lr, steps, simultaneous=True):
    x, y = float(z0[0]), float(z0[1])
    path = [(x, y)]
    for _ in range(steps):
        if simultaneous:
            gx, gy = grad_fn(x, y)
            x, y = x - lr * gx, y - lr * gy
        else:
            y = y - lr * grad_fn(x, y)[1]
            x = x - lr * grad_fn(x, y)[0]
        path.append((x, y))
    return np.array(path)
''',
    },
    {
        "cell": "gda",
        "passes": False,
        "why": "alternating in the wrong order: x first, then y",
        "message": "y moves first",
        "source": '''
def gda(grad_fn, z0, lr, steps, simultaneous=True):
    x, y = float(z0[0]), float(z0[1])
    path = [(x, y)]
    for _ in range(steps):
        if simultaneous:
            gx, gy = grad_fn(x, y)
            x, y = x - lr * gx, y + lr * gy
        else:
            x = x - lr * grad_fn(x, y)[0]
            y = y + lr * grad_fn(x, y)[1]
        path.append((x, y))
    return np.array(path)
''',
    },
    # ------------------------------------------------------------------ optimal_discriminator / jsd
    {
        "cell": "optimal_discriminator",
        "passes": True,
        "why": "np.divide with where=, jsd through scipy.special.rel_entr",
        "source": '''
from scipy.special import rel_entr


def optimal_discriminator(p_data, p_g):
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    return np.divide(p_data, p_data + p_g, out=np.full(p_data.shape, 0.5), where=(p_data + p_g) > 0)


def jsd(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = (p + q) / 2
    return float(0.5 * rel_entr(p, m).sum() + 0.5 * rel_entr(q, m).sum())
''',
    },
    {
        "cell": "optimal_discriminator",
        "passes": False,
        "why": "JSD in bits (np.log2)",
        "message": "nats",
        "source": '''
def optimal_discriminator(p_data, p_g):
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def jsd(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = 0.5 * (p + q)
    a, b = p > 0, q > 0
    return float(0.5 * np.sum(p[a] * np.log2(p[a] / m[a])) + 0.5 * np.sum(q[b] * np.log2(q[b] / m[b])))
''',
    },
    {
        "cell": "optimal_discriminator",
        "passes": False,
        "why": "forgets the 1/2: KL(p||m) + KL(q||m)",
        "message": "jsd",
        "source": '''
def optimal_discriminator(p_data, p_g):
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def jsd(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = 0.5 * (p + q)
    a, b = p > 0, q > 0
    return float(np.sum(p[a] * np.log(p[a] / m[a])) + np.sum(q[b] * np.log(q[b] / m[b])))
''',
    },
    {
        "cell": "optimal_discriminator",
        "passes": False,
        "why": "0 log 0 computed as nan (no mask for zero probabilities)",
        "message": "nan",
        "source": '''
def optimal_discriminator(p_data, p_g):
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    return p_data / (p_data + p_g)


def jsd(p, q):
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = 0.5 * (p + q)
    return float(0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m)))
''',
    },
    # ------------------------------------------------------------------ d_loss / g_loss
    {
        "cell": "gan_losses",
        "passes": True,
        "why": "softplus formulas instead of binary_cross_entropy_with_logits",
        "source": '''
def d_loss(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss(fake_logits, kind="non_saturating"):
    if kind == "non_saturating":
        return F.softplus(-fake_logits).mean()
    if kind == "saturating":
        return -F.softplus(fake_logits).mean()
    raise ValueError(kind)
''',
    },
    {
        "cell": "gan_losses",
        "passes": False,
        "why": "log(sigmoid(s)) with an epsilon: finite, but wrong for large logits",
        "message": "100+",
        "source": '''
def d_loss(real_logits, fake_logits):
    eps = 1e-8
    return (-torch.log(torch.sigmoid(real_logits) + eps).mean()
            - torch.log(1 - torch.sigmoid(fake_logits) + eps).mean())


def g_loss(fake_logits, kind="non_saturating"):
    eps = 1e-8
    if kind == "non_saturating":
        return -torch.log(torch.sigmoid(fake_logits) + eps).mean()
    if kind == "saturating":
        return torch.log(1 - torch.sigmoid(fake_logits) + eps).mean()
    raise ValueError(kind)
''',
    },
    {
        "cell": "gan_losses",
        "passes": False,
        "why": "saturating loss with the wrong sign (-log(1 - D), which G would push up)",
        "message": "g_loss(saturating)",
        "source": '''
def d_loss(real_logits, fake_logits):
    bce = F.binary_cross_entropy_with_logits
    return bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))


def g_loss(fake_logits, kind="non_saturating"):
    bce = F.binary_cross_entropy_with_logits
    if kind == "non_saturating":
        return bce(fake_logits, torch.ones_like(fake_logits))
    if kind == "saturating":
        return bce(fake_logits, torch.zeros_like(fake_logits))
    raise ValueError(kind)
''',
    },
    {
        "cell": "gan_losses",
        "passes": False,
        "why": "d_loss as one mean over the concatenated batch",
        "message": "d_loss",
        "source": '''
def d_loss(real_logits, fake_logits):
    logits = torch.cat([real_logits.flatten(), fake_logits.flatten()])
    labels = torch.cat([torch.ones(real_logits.numel()), torch.zeros(fake_logits.numel())]).to(logits)
    return F.binary_cross_entropy_with_logits(logits, labels)


def g_loss(fake_logits, kind="non_saturating"):
    bce = F.binary_cross_entropy_with_logits
    if kind == "non_saturating":
        return bce(fake_logits, torch.ones_like(fake_logits))
    if kind == "saturating":
        return -bce(fake_logits, torch.zeros_like(fake_logits))
    raise ValueError(kind)
''',
    },
    # ------------------------------------------------------------------ mode_coverage
    {
        "cell": "mode_coverage",
        "passes": True,
        "why": "scipy cdist, a loop over modes and squared distances against (3 std)^2",
        "source": '''
from scipy.spatial.distance import cdist


def mode_coverage(samples, centers, std, min_share=0.05):
    d2 = cdist(samples, centers, "sqeuclidean")
    nearest = d2.argmin(axis=1)
    good = d2[np.arange(len(samples)), nearest] <= (3 * std) ** 2
    counts = np.array([np.sum(good & (nearest == k)) for k in range(len(centers))])
    covered = sum(int(c >= min_share * len(samples)) for c in counts)
    return covered, good.sum() / len(samples), counts
''',
    },
    {
        "cell": "mode_coverage",
        "passes": False,
        "why": "counts every sample for its nearest mode, far or not",
        "message": "high-quality",
        "source": '''
def mode_coverage(samples, centers, std, min_share=0.05):
    dist = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=2)
    good = dist.min(axis=1) <= 3 * std
    counts = np.bincount(dist.argmin(axis=1), minlength=len(centers))
    return int(np.sum(counts >= min_share * len(samples))), float(good.mean()), counts
''',
    },
    {
        "cell": "mode_coverage",
        "passes": False,
        "why": "threshold 3 * std**2 instead of 3 * std",
        "message": "counts",
        "source": '''
def mode_coverage(samples, centers, std, min_share=0.05):
    dist = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=2)
    nearest, good = dist.argmin(axis=1), dist.min(axis=1) <= 3 * std ** 2
    counts = np.bincount(nearest[good], minlength=len(centers))
    return int(np.sum(counts >= min_share * len(samples))), float(good.mean()), counts
''',
    },
    {
        "cell": "mode_coverage",
        "passes": False,
        "why": "the 5% measured against the high-quality samples only",
        "message": "min_share * N",
        "source": '''
def mode_coverage(samples, centers, std, min_share=0.05):
    dist = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=2)
    nearest, good = dist.argmin(axis=1), dist.min(axis=1) <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(centers))
    return int(np.sum(counts >= min_share * good.sum())), float(good.mean()), counts
''',
    },
    # ------------------------------------------------------------------ train_step
    {
        "cell": "train_step",
        "passes": True,
        "why": "fakes made under no_grad, one D call on the concatenated batch, D frozen during the G step",
        "source": '''
def train_step(G, D, opt_G, opt_D, sample_real, sample_z, k_D=1, kind="non_saturating", losses=None):
    d_loss_fn, g_loss_fn = losses if losses is not None else (d_loss, g_loss)
    for _ in range(k_D):
        real = sample_real()
        with torch.no_grad():
            fake = G(sample_z())
        logits = D(torch.cat([real, fake]))
        loss_D = d_loss_fn(logits[:len(real)], logits[len(real):])
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
    D.requires_grad_(False)
    loss_G = g_loss_fn(D(G(sample_z())), kind)
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    D.requires_grad_(True)
    return float(loss_D), float(loss_G)
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "no detach: the discriminator's backward also runs through G",
        "message": "detach the fakes",
        "source": '''
def train_step(G, D, opt_G, opt_D, sample_real, sample_z, k_D=1, kind="non_saturating", losses=None):
    d_loss_fn, g_loss_fn = losses if losses is not None else (d_loss, g_loss)
    for _ in range(k_D):
        real, fake = sample_real(), G(sample_z())
        opt_D.zero_grad()
        loss_D = d_loss_fn(D(real), D(fake))
        loss_D.backward()
        opt_D.step()
    opt_G.zero_grad()
    loss_G = g_loss_fn(D(G(sample_z())), kind)
    loss_G.backward()
    opt_G.step()
    return loss_D.item(), loss_G.item()
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "never zeroes the generator's gradients (they accumulate across calls)",
        "message": "generator parameters",
        "source": '''
def train_step(G, D, opt_G, opt_D, sample_real, sample_z, k_D=1, kind="non_saturating", losses=None):
    d_loss_fn, g_loss_fn = losses if losses is not None else (d_loss, g_loss)
    for _ in range(k_D):
        real, fake = sample_real(), G(sample_z()).detach()
        opt_D.zero_grad()
        loss_D = d_loss_fn(D(real), D(fake))
        loss_D.backward()
        opt_D.step()
    loss_G = g_loss_fn(D(G(sample_z())), kind)
    loss_G.backward()
    opt_G.step()
    return loss_D.item(), loss_G.item()
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "steps both optimisers after the generator's backward (the generator step updates D too)",
        "message": "discriminator parameters",
        "source": '''
def train_step(G, D, opt_G, opt_D, sample_real, sample_z, k_D=1, kind="non_saturating", losses=None):
    d_loss_fn, g_loss_fn = losses if losses is not None else (d_loss, g_loss)
    for _ in range(k_D):
        real, fake = sample_real(), G(sample_z()).detach()
        opt_D.zero_grad()
        loss_D = d_loss_fn(D(real), D(fake))
        loss_D.backward()
        opt_D.step()
    opt_G.zero_grad()
    opt_D.zero_grad()
    loss_G = g_loss_fn(D(G(sample_z())), kind)
    loss_G.backward()
    opt_G.step()
    opt_D.step()
    return loss_D.item(), loss_G.item()
''',
    },
    {
        "cell": "train_step",
        "passes": False,
        "why": "no zero_grad for D: the generator's backward leaves gradients in D that the next D step adds to",
        "message": "discriminator parameters",
        "source": '''
def train_step(G, D, opt_G, opt_D, sample_real, sample_z, k_D=1, kind="non_saturating", losses=None):
    d_loss_fn, g_loss_fn = losses if losses is not None else (d_loss, g_loss)
    for _ in range(k_D):
        real, fake = sample_real(), G(sample_z()).detach()
        loss_D = d_loss_fn(D(real), D(fake))
        loss_D.backward()
        opt_D.step()
    opt_G.zero_grad()
    loss_G = g_loss_fn(D(G(sample_z())), kind)
    loss_G.backward()
    opt_G.step()
    return loss_D.item(), loss_G.item()
''',
    },
]
