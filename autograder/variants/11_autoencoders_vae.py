"""Alternative answers for chapter 11: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---------------------------------------------------------------- fit_linear_autoencoder
    {
        "cell": "fit_linear_autoencoder",
        "passes": True,
        "why": "summed squared error (Adam is scale-invariant), keepdim mean, hand-written loss",
        "source": '''
def fit_linear_autoencoder(X, k, steps=300, lr=0.05, seed=0):
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    model = Autoencoder(nn.Linear(X.shape[1], k, bias=False), nn.Linear(k, X.shape[1], bias=False))
    mean = X.mean(dim=0, keepdim=True)
    centred = X - mean
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for step in range(steps):
        loss = ((model(centred) - centred) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    mean = mean.squeeze(0)
    return mean, model
''',
    },
    {
        "cell": "fit_linear_autoencoder",
        "passes": True,
        "why": "closed form: both layers set from the top-k right singular vectors (a global optimum of the loss)",
        "source": '''
def fit_linear_autoencoder(X, k, steps=300, lr=0.05, seed=0):
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    model = Autoencoder(nn.Linear(X.shape[1], k, bias=False), nn.Linear(k, X.shape[1], bias=False))
    mean = X.mean(dim=0)
    _, _, Vh = torch.linalg.svd(X - mean, full_matrices=False)
    with torch.no_grad():
        model.encoder.weight.copy_(Vh[:k])
        model.decoder.weight.copy_(Vh[:k].T)
    return mean, model
''',
    },
    {
        "cell": "fit_linear_autoencoder",
        "passes": False,
        "why": "forgets optimizer.zero_grad(): gradients accumulate and the fit diverges",
        "message": "zero the gradients",
        "source": '''
def fit_linear_autoencoder(X, k, steps=300, lr=0.05, seed=0):
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    model = Autoencoder(nn.Linear(X.shape[1], k, bias=False), nn.Linear(k, X.shape[1], bias=False))
    mean = X.mean(dim=0)
    Xc = X - mean
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = F.mse_loss(model(Xc), Xc)
        loss.backward()
        optimizer.step()
    return mean, model
''',
    },
    {
        "cell": "fit_linear_autoencoder",
        "passes": False,
        "why": "returns a zero mean and trains on the raw, uncentred X",
        "message": "column means",
        "source": '''
def fit_linear_autoencoder(X, k, steps=300, lr=0.05, seed=0):
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    model = Autoencoder(nn.Linear(X.shape[1], k, bias=False), nn.Linear(k, X.shape[1], bias=False))
    mean = torch.zeros(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(X), X)
        loss.backward()
        optimizer.step()
    return mean, model
''',
    },
    {
        "cell": "fit_linear_autoencoder",
        "passes": False,
        "why": "computes the mean but trains the layers on the raw X instead of the centred data",
        "message": "centred",
        "source": '''
def fit_linear_autoencoder(X, k, steps=300, lr=0.05, seed=0):
    torch.manual_seed(seed)
    X = torch.as_tensor(X, dtype=torch.float32)
    model = Autoencoder(nn.Linear(X.shape[1], k, bias=False), nn.Linear(k, X.shape[1], bias=False))
    mean = X.mean(dim=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(X), X)
        loss.backward()
        optimizer.step()
    return mean, model
''',
    },
    # ---------------------------------------------------------------- add_noise
    {
        "cell": "add_noise",
        "passes": True,
        "why": "clone, then masked assignment on the copy; torch.normal for the Gaussian noise",
        "source": '''
def add_noise(x, kind="gaussian", level=0.1):
    if kind not in ("gaussian", "salt_pepper"):
        raise ValueError(kind)
    noisy = x.clone()
    if kind == "gaussian":
        noisy = noisy + torch.normal(0.0, level, size=x.shape, dtype=x.dtype)
        noisy = torch.clamp(noisy, min=0.0, max=1.0)
    else:
        mask = torch.rand(x.shape) < level
        noisy[mask] = torch.randint(0, 2, (int(mask.sum()),)).to(x.dtype)
    return noisy
''',
    },
    {
        "cell": "add_noise",
        "passes": True,
        "why": "salt with probability level/2 and pepper with probability level/2 from one uniform draw",
        "source": '''
def add_noise(x, kind="gaussian", level=0.1):
    if kind == "gaussian":
        return (x + level * torch.randn_like(x)).clamp(0, 1)
    u = torch.rand_like(x)
    out = torch.where(u < level / 2, torch.zeros_like(x), x)
    return torch.where((u >= level / 2) & (u < level), torch.ones_like(x), out)
''',
    },
    {
        "cell": "add_noise",
        "passes": False,
        "why": "writes the corruption into the caller's clean images",
        "message": "in place",
        "source": '''
def add_noise(x, kind="gaussian", level=0.1):
    if kind == "gaussian":
        x += level * torch.randn_like(x)
        return x.clamp_(0, 1)
    mask = torch.rand_like(x) < level
    x[mask] = (torch.rand_like(x)[mask] < 0.5).to(x.dtype)
    return x
''',
    },
    {
        "cell": "add_noise",
        "passes": False,
        "why": "independent salt and pepper masks, each with probability level: about twice the corruption rate",
        "message": "one mask",
        "source": '''
def add_noise(x, kind="gaussian", level=0.1):
    if kind == "gaussian":
        return (x + level * torch.randn_like(x)).clamp(0, 1)
    out = torch.where(torch.rand_like(x) < level, torch.ones_like(x), x)
    return torch.where(torch.rand_like(x) < level, torch.zeros_like(x), out)
''',
    },
    {
        "cell": "add_noise",
        "passes": False,
        "why": "salt only: every corrupted pixel becomes 1",
        "message": "fair coin",
        "source": '''
def add_noise(x, kind="gaussian", level=0.1):
    if kind == "gaussian":
        return (x + level * torch.randn_like(x)).clamp(0, 1)
    return torch.where(torch.rand_like(x) < level, torch.ones_like(x), x)
''',
    },
    {
        "cell": "add_noise",
        "passes": False,
        "why": "Gaussian noise without clipping to [0, 1]",
        "message": "clip",
        "source": '''
def add_noise(x, kind="gaussian", level=0.1):
    if kind == "gaussian":
        return x + level * torch.randn_like(x)
    hit = torch.rand_like(x) < level
    return torch.where(hit, (torch.rand_like(x) < 0.5).to(x.dtype), x)
''',
    },
    # ---------------------------------------------------------------- sparse_kl_penalty
    {
        "cell": "sparse_kl_penalty",
        "passes": True,
        "why": "torch.distributions.kl_divergence between Bernoulli distributions",
        "source": '''
def sparse_kl_penalty(h, rho):
    from torch.distributions import Bernoulli, kl_divergence
    rho_hat = h.mean(0)
    return kl_divergence(Bernoulli(probs=torch.full_like(rho_hat, rho)), Bernoulli(probs=rho_hat)).sum()
''',
    },
    {
        "cell": "sparse_kl_penalty",
        "passes": True,
        "why": "expanded logs: rho log rho - rho log rho_hat + ...",
        "source": '''
def sparse_kl_penalty(h, rho):
    q = torch.sum(h, dim=0) / h.shape[0]
    terms = rho * np.log(rho) - rho * torch.log(q) + (1 - rho) * np.log(1 - rho) - (1 - rho) * torch.log1p(-q)
    return terms.sum()
''',
    },
    {
        "cell": "sparse_kl_penalty",
        "passes": False,
        "why": "the reversed divergence KL(rho_hat || rho)",
        "message": "rho_hat = h.mean(dim=0)",
        "source": '''
def sparse_kl_penalty(h, rho):
    q = h.mean(dim=0)
    return (q * torch.log(q / rho) + (1 - q) * torch.log((1 - q) / (1 - rho))).sum()
''',
    },
    {
        "cell": "sparse_kl_penalty",
        "passes": False,
        "why": "mean over the units (dim=1) instead of over the batch",
        "message": "rho_hat = h.mean(dim=0)",
        "source": '''
def sparse_kl_penalty(h, rho):
    q = h.mean(dim=1)
    return (rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))).sum()
''',
    },
    {
        "cell": "sparse_kl_penalty",
        "passes": False,
        "why": "drops the (1 - rho) term of the Bernoulli KL",
        "message": "(1 - rho) log",
        "source": '''
def sparse_kl_penalty(h, rho):
    return (rho * torch.log(rho / h.mean(dim=0))).sum()
''',
    },
    # ---------------------------------------------------------------- gaussian_kl
    {
        "cell": "gaussian_kl",
        "passes": True,
        "why": "torch.distributions.kl_divergence summed over the latent dimensions",
        "source": '''
def gaussian_kl(mu, logvar):
    from torch.distributions import Normal, kl_divergence
    q = Normal(mu, torch.exp(0.5 * logvar))
    p = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return kl_divergence(q, p).sum(-1)
''',
    },
    {
        "cell": "gaussian_kl",
        "passes": True,
        "why": "written with log sigma = logvar / 2 and sigma squared",
        "source": '''
def gaussian_kl(mu, logvar):
    log_sigma = logvar / 2
    sigma2 = torch.exp(2 * log_sigma)
    return torch.sum(-log_sigma + (sigma2 + mu * mu) / 2 - 0.5, dim=-1)
''',
    },
    {
        "cell": "gaussian_kl",
        "passes": False,
        "why": "treats logvar as log sigma: sigma^2 = exp(2 logvar)",
        "message": "logvar is log σ²",
        "source": '''
def gaussian_kl(mu, logvar):
    return 0.5 * (mu ** 2 + torch.exp(2 * logvar) - 2 * logvar - 1).sum(dim=1)
''',
    },
    {
        "cell": "gaussian_kl",
        "passes": False,
        "why": "forgets the factor 1/2",
        "message": "keep the ½",
        "source": '''
def gaussian_kl(mu, logvar):
    return (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1)
''',
    },
    {
        "cell": "gaussian_kl",
        "passes": False,
        "why": "sums over the batch too and returns a scalar",
        "message": "latent dimensions only",
        "source": '''
def gaussian_kl(mu, logvar):
    return 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum()
''',
    },
    # ---------------------------------------------------------------- reparameterize
    {
        "cell": "reparameterize",
        "passes": True,
        "why": "Normal(mu, sigma).rsample(), the reparameterised sample of torch.distributions",
        "source": '''
def reparameterize(mu, logvar):
    return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).rsample()
''',
    },
    {
        "cell": "reparameterize",
        "passes": True,
        "why": "sqrt(exp(logvar)) and torch.randn with the shape and dtype of mu",
        "source": '''
def reparameterize(mu, logvar):
    eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device)
    return mu + logvar.exp().sqrt() * eps
''',
    },
    {
        "cell": "reparameterize",
        "passes": False,
        "why": "standard deviation exp(logvar) instead of exp(logvar / 2)",
        "message": "not exp(logvar)",
        "source": '''
def reparameterize(mu, logvar):
    return mu + torch.exp(logvar) * torch.randn_like(mu)
''',
    },
    {
        "cell": "reparameterize",
        "passes": False,
        "why": "samples without the trick via torch.normal: zero gradient for mu",
        "message": "blocks the gradient",
        "source": '''
def reparameterize(mu, logvar):
    return torch.normal(mu, torch.exp(0.5 * logvar))
''',
    },
    {
        "cell": "reparameterize",
        "passes": False,
        "why": "Normal(...).sample(): the sample is detached from mu and logvar",
        "message": "autograd graph",
        "source": '''
def reparameterize(mu, logvar):
    return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).sample()
''',
    },
    {
        "cell": "reparameterize",
        "passes": False,
        "why": "one eps row shared by every example of the batch",
        "message": "fresh eps",
        "source": '''
def reparameterize(mu, logvar):
    eps = torch.randn(1, mu.shape[1], dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps
''',
    },
    # ---------------------------------------------------------------- vae_loss
    {
        "cell": "vae_loss",
        "passes": True,
        "why": "per-example BCE with reduction='none', calling the learner's gaussian_kl",
        "source": '''
def vae_loss(recon, x, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy(recon, x, reduction="none").sum(dim=1)
    return (bce + beta * gaussian_kl(mu, logvar)).mean()
''',
    },
    {
        "cell": "vae_loss",
        "passes": True,
        "why": "skips the KL entirely when beta == 0, Bernoulli log_prob for the reconstruction",
        "source": '''
def vae_loss(recon, x, mu, logvar, beta=1.0):
    n = x.shape[0]
    nll = -(x * torch.log(recon) + (1 - x) * torch.log1p(-recon)).sum() / n
    if beta == 0:
        return nll
    kl = 0.5 * torch.sum(mu.pow(2) + logvar.exp() - logvar - 1) / n
    return nll + beta * kl
''',
    },
    {
        "cell": "vae_loss",
        "passes": False,
        "why": "forgets beta: the KL always has weight 1",
        "message": "multiply the KL term by beta",
        "source": '''
def vae_loss(recon, x, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy(recon, x, reduction="sum") / len(x)
    kl = 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1).mean()
    return bce + kl
''',
    },
    {
        "cell": "vae_loss",
        "passes": False,
        "why": "F.binary_cross_entropy with its default mean over pixels",
        "message": "sum over pixels",
        "source": '''
def vae_loss(recon, x, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy(recon, x)
    kl = 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum(dim=1).mean()
    return bce + beta * kl
''',
    },
    {
        "cell": "vae_loss",
        "passes": False,
        "why": "sums over the batch instead of averaging",
        "message": "mean over examples",
        "source": '''
def vae_loss(recon, x, mu, logvar, beta=1.0):
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kl = 0.5 * (mu ** 2 + logvar.exp() - logvar - 1).sum()
    return bce + beta * kl
''',
    },
]
