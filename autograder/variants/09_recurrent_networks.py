"""Alternative answers for chapter 09: each replaces one answer cell and must pass or fail its test cell.

Several answer cells hold two functions. Their mistakes start from the reference cell (``_RNN``, ``_CELLS`` below,
the solution cells without the solution markers) and change one thing with :func:`_edit`, which refuses an edit
whose target text is missing, so a variant cannot silently become the reference.
"""


def _edit(source: str, *pairs: str) -> str:
    """Replace each old text (exactly once) by its new text: _edit(src, old1, new1, old2, new2, ...)."""
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert source.count(old) == 1, f"variant edit target not found exactly once: {old!r}"
        source = source.replace(old, new)
    return source


_RNN = '''
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.empty((N, T, Wh.shape[0]), dtype=np.result_type(x, h0, Wx, Wh, b))
    h_prev = h0
    for t in range(T):
        h_prev = np.tanh(x[:, t] @ Wx + h_prev @ Wh + b)
        h[:, t] = h_prev
    cache = (x, h0, Wx, Wh, h)
    return h, cache


def rnn_bptt(dh, cache):
    x, h0, Wx, Wh, h = cache
    T = x.shape[1]
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dnext = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = h[:, t - 1] if t > 0 else h0
        da = (dh[:, t] + dnext) * (1 - h[:, t] ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dnext = da @ Wh.T
    dh0 = dnext
    return dx, dh0, dWx, dWh, db
'''

_CELLS = '''
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=1)
    c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h_new = sigmoid(o) * np.tanh(c_new)
    return h_new, c_new


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    x_r, x_z, x_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    h_r, h_z, h_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = sigmoid(x_r + h_r)
    z = sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    h_new = (1 - z) * n + z * h
    return h_new
'''

VARIANTS = [
    # ---------------------------------------------------------------- rnn_forward + rnn_bptt
    {
        "cell": "rnn",
        "passes": True,
        "why": "caches the pre-activations in a list and uses 1 - tanh(a)**2; einsum for the weight gradients",
        "source": '''
def rnn_forward(x, h0, Wx, Wh, b):
    hs, pre = [], []
    h_prev = h0
    for t in range(x.shape[1]):
        a = x[:, t] @ Wx + h_prev @ Wh + b
        h_prev = np.tanh(a)
        pre.append(a)
        hs.append(h_prev)
    h = np.stack(hs, axis=1)
    return h, {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "pre": pre, "h": h}


def rnn_bptt(dh, cache):
    x, Wx, Wh, pre = cache["x"], cache["Wx"], cache["Wh"], cache["pre"]
    h_before = np.concatenate([cache["h0"][:, None], cache["h"][:, :-1]], axis=1)   # h_{t-1} for every t
    da_all = np.zeros_like(dh)
    carry = np.zeros_like(cache["h0"])
    for t in range(x.shape[1] - 1, -1, -1):
        da_all[:, t] = (dh[:, t] + carry) * (1 - np.tanh(pre[t]) ** 2)
        carry = da_all[:, t] @ Wh.T
    dx = np.einsum("nth,dh->ntd", da_all, Wx)
    dWx = np.einsum("ntd,nth->dh", x, da_all)
    dWh = np.einsum("ntk,nth->kh", h_before, da_all)
    db = da_all.sum(axis=(0, 1))
    return dx, carry, dWx, dWh, db
''',
    },
    {
        "cell": "rnn",
        "passes": False,
        "why": "forgets the tanh derivative in BPTT",
        "message": "tanh derivative",
        "source": _edit(_RNN, "da = (dh[:, t] + dnext) * (1 - h[:, t] ** 2)", "da = dh[:, t] + dnext"),
    },
    {
        "cell": "rnn",
        "passes": False,
        "why": "overwrites dWx at every step instead of accumulating it over time",
        "message": "accumulate dWx",
        "source": _edit(_RNN, "dWx += x[:, t].T @ da", "dWx = x[:, t].T @ da"),
    },
    {
        "cell": "rnn",
        "passes": False,
        "why": "drops the recurrent term: only the direct gradient dh[:, t] reaches each step",
        "message": "carries the gradient back",
        "source": _edit(_RNN, "da = (dh[:, t] + dnext) * (1 - h[:, t] ** 2)", "da = dh[:, t] * (1 - h[:, t] ** 2)"),
    },
    {
        "cell": "rnn",
        "passes": False,
        "why": "forward pass ignores h0 and starts from zeros",
        "message": "starts from h0",
        "source": _edit(_RNN, "    h_prev = h0\n", "    h_prev = np.zeros_like(h0)\n"),
    },
    # ---------------------------------------------------------------- lstm_cell + gru_cell
    {
        "cell": "gated_cells",
        "passes": True,
        "why": "slices the weight matrices gate by gate and uses scipy's expit",
        "source": '''
from scipy.special import expit


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]

    def pre(k):
        rows = slice(k * H, (k + 1) * H)
        return x @ W_ih[rows].T + h @ W_hh[rows].T + b_ih[rows] + b_hh[rows]

    i, f, g, o = expit(pre(0)), expit(pre(1)), np.tanh(pre(2)), expit(pre(3))
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    part = lambda W, v, bias, k: v @ W[k * H:(k + 1) * H].T + bias[k * H:(k + 1) * H]
    r = expit(part(W_ih, x, b_ih, 0) + part(W_hh, h, b_hh, 0))
    z = expit(part(W_ih, x, b_ih, 1) + part(W_hh, h, b_hh, 1))
    n = np.tanh(part(W_ih, x, b_ih, 2) + r * part(W_hh, h, b_hh, 2))
    return h + (1 - z) * (n - h)
''',
    },
    {
        "cell": "gated_cells",
        "passes": False,
        "why": "LSTM gate order i, f, o, g instead of PyTorch's i, f, g, o",
        "message": "i, f, g, o",
        "source": _edit(_CELLS, "i, f, g, o = np.split(gates, 4, axis=1)", "i, f, o, g = np.split(gates, 4, axis=1)"),
    },
    {
        "cell": "gated_cells",
        "passes": False,
        "why": "GRU applies the reset gate to h before the matrix product (the original paper's variant)",
        "message": "AFTER the product",
        "source": _edit(_CELLS, "n = np.tanh(x_n + r * h_n)",
                        "n = np.tanh(x_n + (r * h) @ W_hh[2 * h.shape[1]:].T + b_hh[2 * h.shape[1]:])"),
    },
    {
        "cell": "gated_cells",
        "passes": False,
        "why": "GRU with z and 1 - z swapped",
        "message": "(1 - z) * n + z * h",
        "source": _edit(_CELLS, "h_new = (1 - z) * n + z * h", "h_new = z * n + (1 - z) * h"),
    },
    {
        "cell": "gated_cells",
        "passes": False,
        "why": "LSTM output gate applied to c_new instead of tanh(c_new)",
        "message": "tanh(c_new)",
        "source": _edit(_CELLS, "h_new = sigmoid(o) * np.tanh(c_new)", "h_new = sigmoid(o) * c_new"),
    },
    # ---------------------------------------------------------------- clip_grad_norm
    {
        "cell": "clip_grad_norm",
        "passes": True,
        "why": "norm of the concatenated flat vector, exact factor c / norm without the 1e-6",
        "source": '''
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()])))
    if total_norm > max_norm:
        return {k: g * (max_norm / total_norm) for k, g in grads.items()}, total_norm
    return {k: g.copy() for k, g in grads.items()}, total_norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "clips every array by its own norm",
        "message": "one factor for ALL arrays",
        "source": '''
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    clipped = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}
    return clipped, total_norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "always rescales to norm max_norm, also when the gradient is already smaller",
        "message": "come back unchanged",
        "source": '''
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {k: g * max_norm / total_norm for k, g in grads.items()}, total_norm
''',
    },
    {
        "cell": "clip_grad_norm",
        "passes": False,
        "why": "scales the input arrays in place",
        "message": "changed its input arrays",
        "source": '''
def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    for g in grads.values():
        g *= min(1.0, max_norm / (total_norm + 1e-6))
    return grads, total_norm
''',
    },
    # ---------------------------------------------------------------- char_batches
    {
        "cell": "char_batches",
        "passes": True,
        "why": "explicit loops over chunks and streams",
        "source": '''
def char_batches(ids, batch_size, seq_len):
    S = (len(ids) - 1) // batch_size
    K = S // seq_len
    X = np.zeros((K, batch_size, seq_len), dtype=np.int64)
    Y = np.zeros((K, batch_size, seq_len), dtype=np.int64)
    for k in range(K):
        for b in range(batch_size):
            start = b * S + k * seq_len
            X[k, b] = ids[start:start + seq_len]
            Y[k, b] = ids[start + 1:start + seq_len + 1]
    return X, Y
''',
    },
    {
        "cell": "char_batches",
        "passes": False,
        "why": "targets not shifted: Y equals X",
        "message": "shifted by one",
        "source": '''
def char_batches(ids, batch_size, seq_len):
    S = (len(ids) - 1) // batch_size
    K = S // seq_len
    X = np.stack([ids[b * S:b * S + K * seq_len] for b in range(batch_size)])
    X = X.reshape(batch_size, K, seq_len).transpose(1, 0, 2)
    return X, X.copy()
''',
    },
    {
        "cell": "char_batches",
        "passes": False,
        "why": "chunks the text row by row, so consecutive chunks of a row are not consecutive text",
        "message": "continues chunk k",
        "source": '''
def char_batches(ids, batch_size, seq_len):
    K = (len(ids) - 1) // (batch_size * seq_len)
    n = K * batch_size * seq_len
    return ids[:n].reshape(K, batch_size, seq_len), ids[1:n + 1].reshape(K, batch_size, seq_len)
''',
    },
    {
        "cell": "char_batches",
        "passes": False,
        "why": "off by one in the stream length: S = L // batch_size",
        "message": "b*S + k*seq_len",
        "source": '''
def char_batches(ids, batch_size, seq_len):
    S = len(ids) // batch_size
    K = S // seq_len
    index = np.arange(batch_size)[:, None] * S + np.arange(K * seq_len)[None, :]
    X = ids[index].reshape(batch_size, K, seq_len).transpose(1, 0, 2)
    Y = ids[index + 1].reshape(batch_size, K, seq_len).transpose(1, 0, 2)
    return X, Y
''',
    },
    # ---------------------------------------------------------------- perplexity
    {
        "cell": "perplexity",
        "passes": True,
        "why": "torch's cross-entropy on the arrays",
        "source": '''
def perplexity(logits, targets):
    ce = F.cross_entropy(torch.as_tensor(logits, dtype=torch.float64), torch.as_tensor(targets))
    return float(torch.exp(ce))
''',
    },
    {
        "cell": "perplexity",
        "passes": True,
        "why": "scipy's logsumexp",
        "source": '''
from scipy.special import logsumexp


def perplexity(logits, targets):
    nll = logsumexp(logits, axis=1) - logits[np.arange(len(targets)), targets]
    return float(np.exp(np.mean(nll)))
''',
    },
    {
        "cell": "perplexity",
        "passes": False,
        "why": "exponential of the summed cross-entropy",
        "message": "MEAN over tokens",
        "source": '''
def perplexity(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(np.exp(-log_probs[np.arange(len(targets)), targets].sum()))
''',
    },
    {
        "cell": "perplexity",
        "passes": False,
        "why": "no max shift: exp of large logits overflows",
        "message": "must not overflow",
        "source": '''
def perplexity(logits, targets):
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(np.exp(-log_probs[np.arange(len(targets)), targets].mean()))
''',
    },
    {
        "cell": "perplexity",
        "passes": False,
        "why": "forgets the normalisation (uses the raw target logit)",
        "message": "log-softmax",
        "source": '''
def perplexity(logits, targets):
    return float(np.exp(-logits[np.arange(len(targets)), targets].mean()))
''',
    },
    # ---------------------------------------------------------------- temperature_softmax
    {
        "cell": "temperature_softmax",
        "passes": True,
        "why": "scipy's softmax on logits / T",
        "source": '''
from scipy.special import softmax


def temperature_softmax(logits, temperature):
    return softmax(np.asarray(logits, dtype=float) / temperature, axis=-1)
''',
    },
    {
        "cell": "temperature_softmax",
        "passes": False,
        "why": "divides the probabilities by T instead of the logits",
        "message": "divide the LOGITS by T",
        "source": '''
def temperature_softmax(logits, temperature):
    z = logits - np.max(logits, axis=-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    return p / temperature
''',
    },
    {
        "cell": "temperature_softmax",
        "passes": False,
        "why": "divides the probabilities by T and renormalises, which undoes the temperature",
        "message": "temperature_softmax(z, 0.5)",
        "source": '''
def temperature_softmax(logits, temperature):
    z = logits - np.max(logits, axis=-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True) / temperature
    return p / p.sum(axis=-1, keepdims=True)
''',
    },
    {
        "cell": "temperature_softmax",
        "passes": False,
        "why": "no max shift: NaN at small temperatures",
        "message": "NaN",
        "source": '''
def temperature_softmax(logits, temperature):
    e = np.exp(np.asarray(logits, dtype=float) / temperature)
    return e / e.sum(axis=-1, keepdims=True)
''',
    },
]
