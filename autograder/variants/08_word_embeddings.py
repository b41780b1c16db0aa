"""Alternative answers for chapter 08: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---------------------------------------------------------------- build_vocab
    {
        "cell": "build_vocab",
        "passes": True,
        "why": "a plain dict of counts and one sort of (count, word) items",
        "source": '''
def build_vocab(tokens, min_count=1, unk="<unk>"):
    freq = {}
    for t in tokens:
        freq[t] = freq.get(t, 0) + 1
    items = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = [(w, n) for w, n in items if n >= min_count]
    rare = len(tokens) - sum(n for _, n in kept)
    return [unk] + [w for w, _ in kept], np.array([rare] + [n for _, n in kept])
''',
    },
    {
        "cell": "build_vocab",
        "passes": False,
        "why": "Counter.most_common breaks ties by first appearance",
        "message": "alphabetical",
        "source": '''
def build_vocab(tokens, min_count=1, unk="<unk>"):
    freq = Counter(tokens)
    kept = [(w, n) for w, n in freq.most_common() if n >= min_count]
    rare = sum(n for n in freq.values() if n < min_count)
    return [unk] + [w for w, _ in kept], np.array([rare] + [n for _, n in kept])
''',
    },
    {
        "cell": "build_vocab",
        "passes": False,
        "why": "keeps words seen MORE than min_count times (> instead of >=)",
        "message": "at least min_count",
        "source": '''
def build_vocab(tokens, min_count=1, unk="<unk>"):
    freq = Counter(tokens)
    kept = sorted((w for w, n in freq.items() if n > min_count), key=lambda w: (-freq[w], w))
    rare = sum(n for n in freq.values() if n <= min_count)
    return [unk] + kept, np.array([rare] + [freq[w] for w in kept])
''',
    },
    {
        "cell": "build_vocab",
        "passes": False,
        "why": "counts the rare word types, not their tokens, for <unk>",
        "message": "rare tokens",
        "source": '''
def build_vocab(tokens, min_count=1, unk="<unk>"):
    freq = Counter(tokens)
    kept = sorted((w for w, n in freq.items() if n >= min_count), key=lambda w: (-freq[w], w))
    rare_types = sum(1 for n in freq.values() if n < min_count)
    return [unk] + kept, np.array([rare_types] + [freq[w] for w in kept])
''',
    },
    # ---------------------------------------------------------------- skipgram_pairs / cbow_pairs
    {
        "cell": "context_pairs",
        "passes": True,
        "why": "explicit double loops, CBOW columns ordered by distance instead of by position",
        "source": '''
def skipgram_pairs(ids, window):
    ids = list(ids)
    rows = []
    for i in range(len(ids)):
        for j in range(len(ids)):
            if i != j and abs(i - j) <= window:
                rows.append([ids[i], ids[j]])
    return np.array(rows, dtype=int).reshape(-1, 2)


def cbow_pairs(ids, window, pad=-1):
    ids = list(ids)
    n = len(ids)
    contexts = np.full((n, 2 * window), pad)
    for i in range(n):
        col = 0
        for d in range(1, window + 1):
            for j in (i - d, i + d):
                contexts[i, col] = ids[j] if 0 <= j < n else pad
                col += 1
    return contexts, np.array(ids)
''',
    },
    {
        "cell": "context_pairs",
        "passes": False,
        "why": "off by one: range(1, window) leaves out distance m",
        "message": "distance exactly",
        "source": '''
def skipgram_pairs(ids, window):
    ids = np.asarray(ids)
    n = len(ids)
    rows = [(ids[i], ids[i + d]) for i in range(n) for d in range(-window + 1, window) if d != 0 and 0 <= i + d < n]
    return np.array(rows, dtype=int).reshape(-1, 2)


def cbow_pairs(ids, window, pad=-1):
    ids = np.asarray(ids)
    n = len(ids)
    offsets = [d for d in range(-window, window + 1) if d != 0]
    contexts = np.array([[ids[i + d] if 0 <= i + d < n else pad for d in offsets] for i in range(n)])
    return contexts, ids
''',
    },
    {
        "cell": "context_pairs",
        "passes": False,
        "why": "includes the centre word (offset 0) in its own context",
        "message": "paired with itself",
        "source": '''
def skipgram_pairs(ids, window):
    ids = np.asarray(ids)
    n = len(ids)
    rows = [(ids[i], ids[j]) for i in range(n) for j in range(max(0, i - window), min(n, i + window + 1))]
    return np.array(rows, dtype=int).reshape(-1, 2)


def cbow_pairs(ids, window, pad=-1):
    ids = np.asarray(ids)
    n = len(ids)
    offsets = [d for d in range(-window, window + 1) if d != 0]
    contexts = np.array([[ids[i + d] if 0 <= i + d < n else pad for d in offsets] for i in range(n)])
    return contexts, ids
''',
    },
    {
        "cell": "context_pairs",
        "passes": False,
        "why": "CBOW reads ids[i - d] with a negative index: wraps around to the end of the sentence",
        "message": "padding",
        "source": '''
def skipgram_pairs(ids, window):
    ids = np.asarray(ids)
    n = len(ids)
    rows = [(ids[i], ids[j]) for i in range(n) for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
    return np.array(rows, dtype=int).reshape(-1, 2)


def cbow_pairs(ids, window, pad=-1):
    ids = np.asarray(ids)
    n = len(ids)
    offsets = [d for d in range(-window, window + 1) if d != 0]
    contexts = np.array([[ids[i + d] if i + d < n else pad for d in offsets] for i in range(n)])
    return contexts, ids
''',
    },
    # ---------------------------------------------------------------- cooccurrence_matrix
    {
        "cell": "cooccurrence_matrix",
        "passes": True,
        "why": "brute force over every position pair of each sentence, integer matrix",
        "source": '''
def cooccurrence_matrix(sentences, vocab_size, window):
    X = np.zeros((vocab_size, vocab_size), dtype=int)
    for s in sentences:
        for i in range(len(s)):
            for j in range(max(0, i - window), min(len(s), i + window + 1)):
                if j != i:
                    X[s[i], s[j]] += 1
    return X
''',
    },
    {
        "cell": "cooccurrence_matrix",
        "passes": False,
        "why": "counts each pair in one direction only (context to the right)",
        "message": "counted as (j, i)",
        "source": '''
def cooccurrence_matrix(sentences, vocab_size, window):
    X = np.zeros((vocab_size, vocab_size))
    for s in sentences:
        for i in range(len(s)):
            for j in range(i + 1, min(len(s), i + window + 1)):
                X[s[i], s[j]] += 1
    return X
''',
    },
    {
        "cell": "cooccurrence_matrix",
        "passes": False,
        "why": "joins the sentences into one stream, so windows cross sentence boundaries",
        "message": "within a sentence",
        "source": '''
def cooccurrence_matrix(sentences, vocab_size, window):
    X = np.zeros((vocab_size, vocab_size))
    s = np.concatenate([np.asarray(t) for t in sentences])
    for i in range(len(s)):
        for j in range(max(0, i - window), min(len(s), i + window + 1)):
            if j != i:
                X[s[i], s[j]] += 1
    return X
''',
    },
    # ---------------------------------------------------------------- cbow_forward
    {
        "cell": "cbow_forward",
        "passes": True,
        "why": "a loop over rows that averages the real ids, then einsum against W_out",
        "source": '''
def cbow_forward(contexts, W_in, W_out, pad=-1):
    contexts = np.asarray(contexts)
    h = np.stack([W_in[[c for c in row if c != pad]].mean(axis=0) for row in contexts])
    return np.einsum("nd,vd->nv", h, W_out)
''',
    },
    {
        "cell": "cbow_forward",
        "passes": False,
        "why": "W_in[contexts].mean(axis=1): padding -1 reads the last row and counts in the mean",
        "message": "real ids only",
        "source": '''
def cbow_forward(contexts, W_in, W_out, pad=-1):
    h = W_in[np.asarray(contexts)].mean(axis=1)
    return h @ W_out.T
''',
    },
    {
        "cell": "cbow_forward",
        "passes": False,
        "why": "sums the context vectors instead of averaging them",
        "message": "mean",
        "source": '''
def cbow_forward(contexts, W_in, W_out, pad=-1):
    contexts = np.asarray(contexts)
    mask = contexts != pad
    h = (W_in[np.where(mask, contexts, 0)] * mask[..., None]).sum(axis=1)
    return h @ W_out.T
''',
    },
    # ---------------------------------------------------------------- noise_distribution
    {
        "cell": "noise_distribution",
        "passes": True,
        "why": "normalise, raise to the power, normalise again (the same distribution)",
        "source": '''
def noise_distribution(counts, power=0.75):
    q = np.asarray(counts, dtype=float)
    q = (q / q.sum()) ** power
    return q / q.sum()
''',
    },
    {
        "cell": "noise_distribution",
        "passes": False,
        "why": "forgets the exponent: the plain unigram distribution",
        "message": "power first",
        "source": '''
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum()
''',
    },
    {
        "cell": "noise_distribution",
        "passes": False,
        "why": "normalises before the power and never renormalises",
        "message": "divide by the sum",
        "source": '''
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=float)
    return (counts / counts.sum()) ** power
''',
    },
    {
        "cell": "noise_distribution",
        "passes": False,
        "why": "hard-codes 0.75 and ignores the power argument",
        "message": "power` argument",
        "source": '''
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=float)
    return counts ** 0.75 / np.sum(counts ** 0.75)
''',
    },
    # ---------------------------------------------------------------- sgns_loss
    {
        "cell": "sgns_loss",
        "passes": True,
        "why": "scipy's expit and log_expit, gradients via the batch-mean factor",
        "source": '''
from scipy.special import expit, log_expit


def sgns_loss(v, u_pos, u_neg):
    B = len(v)
    s_pos = np.einsum("bd,bd->b", u_pos, v)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v)
    loss = -(log_expit(s_pos).sum() + log_expit(-s_neg).sum()) / B
    a = (expit(s_pos) - 1) / B
    c = expit(s_neg) / B
    dv = a[:, None] * u_pos + (c[:, :, None] * u_neg).sum(axis=1)
    return loss, dv, a[:, None] * v, c[:, :, None] * v[:, None, :]
''',
    },
    {
        "cell": "sgns_loss",
        "passes": False,
        "why": "sign error in the noise term: -log σ(u_k·v) instead of -log σ(-u_k·v)",
        "message": "σ(-u_k·v)",
        "source": '''
def sgns_loss(v, u_pos, u_neg):
    B = len(v)
    s_pos = np.sum(u_pos * v, axis=1)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v)
    loss = (np.logaddexp(0, -s_pos).sum() + np.logaddexp(0, -s_neg).sum()) / B
    a = (1 / (1 + np.exp(-s_pos)) - 1) / B
    c = (1 / (1 + np.exp(-s_neg)) - 1) / B
    dv = a[:, None] * u_pos + np.einsum("bk,bkd->bd", c, u_neg)
    return float(loss), dv, a[:, None] * v, c[:, :, None] * v[:, None, :]
''',
    },
    {
        "cell": "sgns_loss",
        "passes": False,
        "why": "sums the loss and gradients over the batch instead of averaging",
        "message": "average over the batch",
        "source": '''
def sgns_loss(v, u_pos, u_neg):
    s_pos = np.sum(u_pos * v, axis=1)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v)
    loss = np.logaddexp(0, -s_pos).sum() + np.logaddexp(0, s_neg).sum()
    a = 1 / (1 + np.exp(-s_pos)) - 1
    c = 1 / (1 + np.exp(-s_neg))
    dv = a[:, None] * u_pos + np.einsum("bk,bkd->bd", c, u_neg)
    return float(loss), dv, a[:, None] * v, c[:, :, None] * v[:, None, :]
''',
    },
    {
        "cell": "sgns_loss",
        "passes": False,
        "why": "right loss, but the noise gradient uses σ(s_k) - 1 (the real pair's derivative)",
        "message": "du_neg",
        "source": '''
def sgns_loss(v, u_pos, u_neg):
    B = len(v)
    s_pos = np.sum(u_pos * v, axis=1)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v)
    loss = (np.logaddexp(0, -s_pos).sum() + np.logaddexp(0, s_neg).sum()) / B
    a = (1 / (1 + np.exp(-s_pos)) - 1) / B
    c = (1 / (1 + np.exp(-s_neg)) - 1) / B
    dv = a[:, None] * u_pos + np.einsum("bk,bkd->bd", c, u_neg)
    return float(loss), dv, a[:, None] * v, c[:, :, None] * v[:, None, :]
''',
    },
    # ---------------------------------------------------------------- analogy
    {
        "cell": "analogy",
        "passes": True,
        "why": "normalises the vectors first (word2vec's convention), ranks with argsort and skips the queries",
        "source": '''
def analogy(a, b, c, E, words):
    words = list(words)
    unit = E / np.linalg.norm(E, axis=1, keepdims=True)
    q = unit[words.index(b)] - unit[words.index(a)] + unit[words.index(c)]
    for i in np.argsort(-(unit @ q)):
        if words[i] not in (a, b, c):
            return words[i]
''',
    },
    {
        "cell": "analogy",
        "passes": False,
        "why": "ranks by dot product instead of cosine",
        "message": "rank by cosine",
        "source": '''
def analogy(a, b, c, E, words):
    words = list(words)
    q = E[words.index(b)] - E[words.index(a)] + E[words.index(c)]
    scores = E @ q
    for w in (a, b, c):
        scores[words.index(w)] = -np.inf
    return words[int(np.argmax(scores))]
''',
    },
    {
        "cell": "analogy",
        "passes": False,
        "why": "does not exclude the query words",
        "message": "must be excluded",
        "source": '''
def analogy(a, b, c, E, words):
    words = list(words)
    q = E[words.index(b)] - E[words.index(a)] + E[words.index(c)]
    cos = E @ q / (np.linalg.norm(E, axis=1) * np.linalg.norm(q))
    return words[int(np.argmax(cos))]
''',
    },
    {
        "cell": "analogy",
        "passes": False,
        "why": "returns the index of the best word instead of the word",
        "message": "return the word",
        "source": '''
def analogy(a, b, c, E, words):
    words = list(words)
    q = E[words.index(b)] - E[words.index(a)] + E[words.index(c)]
    cos = E @ q / (np.linalg.norm(E, axis=1) * np.linalg.norm(q))
    for w in (a, b, c):
        cos[words.index(w)] = -np.inf
    return int(np.argmax(cos))
''',
    },
]
