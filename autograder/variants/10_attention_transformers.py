"""Alternative answers for chapter 10: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---- greedy_decode ------------------------------------------------------------------------------------------
    {
        "cell": "greedy_decode",
        "passes": True,
        "why": "one Python list per row, PAD fed back for finished rows",
        "source": '''
def greedy_decode(step, state, start, max_len, eos=EOS, pad=PAD):
    rows = [[] for _ in range(len(start))]
    finished = [False] * len(start)
    prev = start
    for _ in range(max_len):
        logits, state = step(prev, state)
        best = logits.argmax(dim=-1).tolist()
        for b, row in enumerate(rows):
            row.append(pad if finished[b] else best[b])
            finished[b] = finished[b] or row[-1] == eos
        prev = torch.tensor([row[-1] for row in rows], device=start.device)
        if all(finished):
            break
    return torch.tensor(rows, dtype=torch.long, device=start.device)
''',
    },
    {
        "cell": "greedy_decode",
        "passes": True,
        "why": "keeps feeding the raw argmax and blanks everything after the first EOS at the end",
        "source": '''
def greedy_decode(step, state, start, max_len, eos=EOS, pad=PAD):
    prev, outputs = start, []
    for _ in range(max_len):
        logits, state = step(prev, state)
        prev = logits.argmax(-1)
        outputs.append(prev)
        if (torch.stack(outputs, 1) == eos).any(dim=1).all():
            break
    tokens = torch.stack(outputs, 1)
    is_eos = (tokens == eos).long()
    after_first_eos = (is_eos.cumsum(dim=1) - is_eos) > 0
    return tokens.masked_fill(after_first_eos, pad)
''',
    },
    {
        "cell": "greedy_decode",
        "passes": False,
        "why": "always runs max_len steps instead of stopping when every row has produced EOS",
        "message": "every row has produced EOS",
        "source": '''
def greedy_decode(step, state, start, max_len, eos=EOS, pad=PAD):
    prev, outputs = start, []
    done = torch.zeros_like(start, dtype=torch.bool)
    for _ in range(max_len):
        logits, state = step(prev, state)
        prev = torch.where(done, torch.full_like(prev, pad), logits.argmax(-1))
        outputs.append(prev)
        done = done | (prev == eos)
    return torch.stack(outputs, 1)
''',
    },
    {
        "cell": "greedy_decode",
        "passes": False,
        "why": "feeds BOS at every step instead of the previous prediction",
        "message": "feed back the argmax",
        "source": '''
def greedy_decode(step, state, start, max_len, eos=EOS, pad=PAD):
    outputs = []
    done = torch.zeros_like(start, dtype=torch.bool)
    for _ in range(max_len):
        logits, state = step(start, state)
        tok = torch.where(done, torch.full_like(start, pad), logits.argmax(-1))
        outputs.append(tok)
        done = done | (tok == eos)
        if done.all():
            break
    return torch.stack(outputs, 1)
''',
    },
    {
        "cell": "greedy_decode",
        "passes": False,
        "why": "includes the BOS in the output",
        "message": "BOS is not part of the output",
        "source": '''
def greedy_decode(step, state, start, max_len, eos=EOS, pad=PAD):
    prev, outputs = start, [start]
    done = torch.zeros_like(start, dtype=torch.bool)
    for _ in range(max_len):
        logits, state = step(prev, state)
        prev = torch.where(done, torch.full_like(prev, pad), logits.argmax(-1))
        outputs.append(prev)
        done = done | (prev == eos)
        if done.all():
            break
    return torch.stack(outputs, 1)
''',
    },
    {
        "cell": "greedy_decode",
        "passes": False,
        "why": "finished rows keep generating: no PAD after EOS",
        "message": "write PAD after a row's EOS",
        "source": '''
def greedy_decode(step, state, start, max_len, eos=EOS, pad=PAD):
    prev, outputs = start, []
    done = torch.zeros_like(start, dtype=torch.bool)
    for _ in range(max_len):
        logits, state = step(prev, state)
        prev = logits.argmax(-1)
        outputs.append(prev)
        done = done | (prev == eos)
        if done.all():
            break
    return torch.stack(outputs, 1)
''',
    },
    # ---- exact_match --------------------------------------------------------------------------------------------
    {
        "cell": "exact_match",
        "passes": True,
        "why": "vectorised: pad both to one width, blank everything after the first EOS, compare whole rows",
        "source": '''
def exact_match(pred, target, eos=EOS):
    width = max(pred.shape[1], target.shape[1])
    p = F.pad(pred, (0, width - pred.shape[1]), value=-1)
    t = F.pad(target, (0, width - target.shape[1]), value=-1)

    def blank_after_eos(x):
        is_eos = (x == eos).long()
        return x.masked_fill((is_eos.cumsum(dim=1) - is_eos) > 0, -1)

    return (blank_after_eos(p) == blank_after_eos(t)).all(dim=1).float().mean().item()
''',
    },
    {
        "cell": "exact_match",
        "passes": True,
        "why": "compares strings of token ids cut after the first EOS",
        "source": '''
def exact_match(pred, target, eos=EOS):
    def text(row):
        row = row[:row.index(eos) + 1] if eos in row else row
        return " ".join(map(str, row))

    pairs = list(zip(pred.tolist(), target.tolist()))
    return float(np.mean([text(p) == text(t) for p, t in pairs]))
''',
    },
    {
        "cell": "exact_match",
        "passes": False,
        "why": "token-level accuracy instead of whole sequences",
        "message": "average over rows, not tokens",
        "source": '''
def exact_match(pred, target, eos=EOS):
    width = min(pred.shape[1], target.shape[1])
    return (pred[:, :width] == target[:, :width]).float().mean().item()
''',
    },
    {
        "cell": "exact_match",
        "passes": False,
        "why": "strips EOS and compares with zip, which accepts a prediction that stops early or never ends",
        "message": "up to and including the first EOS",
        "source": '''
def exact_match(pred, target, eos=EOS):
    def strip(row):
        return row[:row.index(eos)] if eos in row else row

    hits = [all(a == b for a, b in zip(strip(p), strip(t))) for p, t in zip(pred.tolist(), target.tolist())]
    return sum(hits) / len(hits)
''',
    },
    {
        "cell": "exact_match",
        "passes": False,
        "why": "compares whole padded rows, so junk after EOS counts as an error",
        "message": "ignore what follows EOS",
        "source": '''
def exact_match(pred, target, eos=EOS):
    width = max(pred.shape[1], target.shape[1])
    p = F.pad(pred, (0, width - pred.shape[1]), value=PAD)
    t = F.pad(target, (0, width - target.shape[1]), value=PAD)
    return (p == t).all(dim=1).float().mean().item()
''',
    },
    # ---- sdp_attention ------------------------------------------------------------------------------------------
    {
        "cell": "sdp_attention",
        "passes": True,
        "why": "einsum and torch.where",
        "source": '''
def sdp_attention(q, k, v, mask=None):
    scores = torch.einsum("...id,...jd->...ij", q, k) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
    weights = scores.softmax(dim=-1)
    return torch.einsum("...ij,...jd->...id", weights, v), weights
''',
    },
    {
        "cell": "sdp_attention",
        "passes": True,
        "why": "masks with the dtype's most negative finite number (exp underflows to exactly 0)",
        "source": '''
def sdp_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-1, -2)) / q.size(-1) ** 0.5
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), torch.finfo(scores.dtype).min)
    weights = F.softmax(scores, dim=-1)
    return torch.matmul(weights, v), weights
''',
    },
    {
        "cell": "sdp_attention",
        "passes": False,
        "why": "forgets to divide by sqrt(d_k)",
        "message": "sqrt(d_k)",
        "source": '''
def sdp_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
''',
    },
    {
        "cell": "sdp_attention",
        "passes": False,
        "why": "masks after the softmax by zeroing weights, so rows no longer sum to 1",
        "message": "sum to 1",
        "source": '''
def sdp_attention(q, k, v, mask=None):
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    if mask is not None:
        weights = weights * mask
    return weights @ v, weights
''',
    },
    {
        "cell": "sdp_attention",
        "passes": False,
        "why": "fills masked scores with -100, leaving masked keys a tiny weight",
        "message": "exactly 0",
        "source": '''
def sdp_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -100.0)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
''',
    },
    {
        "cell": "sdp_attention",
        "passes": False,
        "why": "reads the mask the wrong way round (True taken as blocked)",
        "message": "exactly 0",
        "source": '''
def sdp_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
''',
    },
    # ---- causal_mask and padding_mask ---------------------------------------------------------------------------
    {
        "cell": "causal_and_padding_masks",
        "passes": True,
        "why": "index comparison and unsqueeze",
        "source": '''
def causal_mask(L, device=None):
    i = torch.arange(L, device=device)
    return i[:, None] >= i[None, :]


def padding_mask(tokens, pad=PAD):
    return tokens.ne(pad).unsqueeze(1)
''',
    },
    {
        "cell": "causal_and_padding_masks",
        "passes": True,
        "why": "lower triangle of ones, converted to bool; view for the query axis",
        "source": '''
def causal_mask(L, device=None):
    return torch.tril(torch.ones(L, L, device=device)).bool()


def padding_mask(tokens, pad=PAD):
    B, L = tokens.shape
    return (tokens != pad).view(B, 1, L)
''',
    },
    {
        "cell": "causal_and_padding_masks",
        "passes": False,
        "why": "off-by-one: excludes the diagonal, so a token cannot attend to itself",
        "message": "attend to itself",
        "source": '''
def causal_mask(L, device=None):
    return torch.ones(L, L, dtype=torch.bool, device=device).tril(diagonal=-1)


def padding_mask(tokens, pad=PAD):
    return (tokens != pad)[:, None, :]
''',
    },
    {
        "cell": "causal_and_padding_masks",
        "passes": False,
        "why": "off-by-one the other way: each position also sees the next token",
        "message": "leakage test",
        "source": '''
def causal_mask(L, device=None):
    return torch.ones(L, L, dtype=torch.bool, device=device).tril(diagonal=1)


def padding_mask(tokens, pad=PAD):
    return (tokens != pad)[:, None, :]
''',
    },
    {
        "cell": "causal_and_padding_masks",
        "passes": False,
        "why": "upper triangle: attends to the future instead of the past",
        "message": "leakage test",
        "source": '''
def causal_mask(L, device=None):
    return torch.ones(L, L, dtype=torch.bool, device=device).triu()


def padding_mask(tokens, pad=PAD):
    return (tokens != pad)[:, None, :]
''',
    },
    {
        "cell": "causal_and_padding_masks",
        "passes": False,
        "why": "a float 0/1 mask, which PyTorch adds to the scores instead of blocking",
        "message": "bool tensor",
        "source": '''
def causal_mask(L, device=None):
    return torch.ones(L, L, device=device).tril()


def padding_mask(tokens, pad=PAD):
    return (tokens != pad)[:, None, :]
''',
    },
    {
        "cell": "causal_and_padding_masks",
        "passes": False,
        "why": "padding mask without the query axis: (B, L) does not broadcast against (B, Lq, L)",
        "message": "(B, 1, L)",
        "source": '''
def causal_mask(L, device=None):
    return torch.ones(L, L, dtype=torch.bool, device=device).tril()


def padding_mask(tokens, pad=PAD):
    return tokens != pad
''',
    },
    # ---- MultiHeadAttention -------------------------------------------------------------------------------------
    {
        "cell": "multi_head_attention",
        "passes": True,
        "why": "unflatten/flatten for the head split, attention through sdp_attention",
        "source": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, query, key, value, mask=None):
        h = self.n_heads
        q, k, v = (proj(x).unflatten(-1, (h, -1)).transpose(1, 2)
                   for proj, x in [(self.q_proj, query), (self.k_proj, key), (self.v_proj, value)])
        out, weights = sdp_attention(q, k, v, None if mask is None else mask.unsqueeze(-3))
        return self.out_proj(out.transpose(1, 2).flatten(2)), weights
''',
    },
    {
        "cell": "multi_head_attention",
        "passes": True,
        "why": "one head at a time on slices of the projections, concatenated",
        "source": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.q_proj(query), self.k_proj(key), self.v_proj(value)
        dh = q.shape[-1] // self.n_heads
        heads, weights = [], []
        for j in range(self.n_heads):
            part = slice(j * dh, (j + 1) * dh)
            scores = q[..., part] @ k[..., part].transpose(1, 2) / math.sqrt(dh)
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            w = scores.softmax(dim=-1)
            heads.append(w @ v[..., part])
            weights.append(w)
        return self.out_proj(torch.cat(heads, dim=-1)), torch.stack(weights, dim=1)
''',
    },
    {
        "cell": "multi_head_attention",
        "passes": False,
        "why": "splits the heads with view(B, h, L, d/h) directly, mixing positions into heads",
        "message": "transpose",
        "source": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, query, key, value, mask=None):
        B, Lq, d = query.shape
        h = self.n_heads
        q = self.q_proj(query).view(B, h, Lq, d // h)
        k = self.k_proj(key).view(B, h, key.shape[1], d // h)
        v = self.v_proj(value).view(B, h, value.shape[1], d // h)
        out, weights = sdp_attention(q, k, v, None if mask is None else mask.unsqueeze(-3))
        return self.out_proj(out.transpose(1, 2).reshape(B, Lq, d)), weights
''',
    },
    {
        "cell": "multi_head_attention",
        "passes": False,
        "why": "merges the heads back with a reshape but no transpose",
        "message": "transpose",
        "source": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, query, key, value, mask=None):
        B, Lq, d = query.shape
        h = self.n_heads

        def split(x):
            return x.view(B, x.shape[1], h, d // h).transpose(1, 2)

        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        out, weights = sdp_attention(q, k, v, None if mask is None else mask.unsqueeze(-3))
        return self.out_proj(out.reshape(B, Lq, d)), weights
''',
    },
    {
        "cell": "multi_head_attention",
        "passes": False,
        "why": "projections without biases (4d^2 parameters)",
        "message": "parameters",
        "source": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model, bias=False)
                                                                for _ in range(4))

    def forward(self, query, key, value, mask=None):
        B, Lq, d = query.shape
        h = self.n_heads

        def split(x):
            return x.view(B, x.shape[1], h, d // h).transpose(1, 2)

        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        out, weights = sdp_attention(q, k, v, None if mask is None else mask.unsqueeze(-3))
        return self.out_proj(out.transpose(1, 2).reshape(B, Lq, d)), weights
''',
    },
    {
        "cell": "multi_head_attention",
        "passes": False,
        "why": "scales the scores by sqrt(d_model) instead of sqrt(d_model / n_heads)",
        "message": "1/sqrt(d/h)",
        "source": '''
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d_model, d_model) for _ in range(4))

    def forward(self, query, key, value, mask=None):
        B, Lq, d = query.shape
        h = self.n_heads

        def split(x):
            return x.view(B, x.shape[1], h, d // h).transpose(1, 2)

        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
        weights = scores.softmax(-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(B, Lq, d)), weights
''',
    },
    # ---- positional_encoding ------------------------------------------------------------------------------------
    {
        "cell": "positional_encoding",
        "passes": True,
        "why": "NumPy with the exp(-log(10000) 2i/d) form of the frequencies",
        "source": '''
def positional_encoding(max_len, d_model):
    position = np.arange(max_len)[:, None]
    div_term = np.exp(np.arange(0, d_model, 2) * (-np.log(10000.0) / d_model))
    pe = np.zeros((max_len, d_model))
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return torch.from_numpy(pe)
''',
    },
    {
        "cell": "positional_encoding",
        "passes": True,
        "why": "stack sin and cos on a new axis and flatten to interleave, in float32",
        "source": '''
def positional_encoding(max_len, d_model):
    i = torch.arange(d_model // 2, dtype=torch.float32)
    angle = torch.arange(max_len, dtype=torch.float32)[:, None] / torch.pow(10000.0, 2 * i / d_model)
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1)
''',
    },
    {
        "cell": "positional_encoding",
        "passes": False,
        "why": "cosine in the even columns and sine in the odd ones",
        "message": "sines in even columns",
        "source": '''
def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    omega = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.cos(position * omega)
    pe[:, 1::2] = torch.sin(position * omega)
    return pe
''',
    },
    {
        "cell": "positional_encoding",
        "passes": False,
        "why": "uses the column index j in the exponent, so cosine columns get their own frequency",
        "message": "exponent",
        "source": '''
def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    j = torch.arange(d_model, dtype=torch.float64)
    angle = position / 10000.0 ** (j / d_model)
    pe = torch.empty(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle[:, 0::2])
    pe[:, 1::2] = torch.cos(angle[:, 1::2])
    return pe
''',
    },
    {
        "cell": "positional_encoding",
        "passes": False,
        "why": "drops the 2: frequencies 10000^(-i/d)",
        "message": "exponent",
        "source": '''
def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    omega = 10000.0 ** (-torch.arange(d_model // 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * omega)
    pe[:, 1::2] = torch.cos(position * omega)
    return pe
''',
    },
    {
        "cell": "positional_encoding",
        "passes": False,
        "why": "all sines first, then all cosines, instead of interleaving",
        "message": "cosines in odd ones",
        "source": '''
def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    omega = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    return torch.cat([torch.sin(position * omega), torch.cos(position * omega)], dim=1)
''',
    },
]
