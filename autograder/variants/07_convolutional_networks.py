"""Alternative answers for chapter 07: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ---- conv_output_size ---------------------------------------------------------------------------------------
    {
        "cell": "conv_output_size",
        "passes": True,
        "why": "true division then math.floor",
        "source": '''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    import math
    return math.floor((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)
''',
    },
    {
        "cell": "conv_output_size",
        "passes": True,
        "why": "counts the window start positions with range()",
        "source": '''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    last_start = n + 2 * padding - (dilation * (kernel_size - 1) + 1)
    return len(range(0, last_start + 1, stride))
''',
    },
    {
        "cell": "conv_output_size",
        "passes": False,
        "why": "forgets the dilation: the kernel spans k positions",
        "message": "dilated kernel",
        "source": '''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - kernel_size) // stride + 1
''',
    },
    {
        "cell": "conv_output_size",
        "passes": False,
        "why": "no floor: true division returns 111.5 for a 3x3 stride-2 kernel on 224",
        "message": "does not match",
        "source": '''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
''',
    },
    {
        "cell": "conv_output_size",
        "passes": False,
        "why": "rounds instead of taking the floor (right whenever the fraction is below one half)",
        "message": "floor",
        "source": '''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return round((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
''',
    },
    {
        "cell": "conv_output_size",
        "passes": False,
        "why": "pads one side only (n + p)",
        "message": "padding on both sides",
        "source": '''
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + padding - dilation * (kernel_size - 1) - 1) // stride + 1
''',
    },
    # ---- conv2d_loops -------------------------------------------------------------------------------------------
    {
        "cell": "conv2d_loops",
        "passes": True,
        "why": "loops over the kernel taps only, vectorised over examples, channels and positions",
        "source": '''
def conv2d_loops(x, w, b, stride=1, padding=0):
    N, Cin, H, W = x.shape
    Cout, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, Cout, Ho, Wo)) + b[None, :, None, None]
    for u in range(KH):
        for v in range(KW):
            patch = xp[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride]      # (N, Cin, Ho, Wo)
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, u, v])
    return out
''',
    },
    {
        "cell": "conv2d_loops",
        "passes": True,
        "why": "seven nested scalar loops, padding by hand with a zero array",
        "source": '''
def conv2d_loops(x, w, b, stride=1, padding=0):
    N, Cin, H, W = x.shape
    Cout, _, KH, KW = w.shape
    xp = np.zeros((N, Cin, H + 2 * padding, W + 2 * padding))
    xp[:, :, padding:padding + H, padding:padding + W] = x
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, Cout, Ho, Wo))
    for n in range(N):
        for o in range(Cout):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[o]
                    for c in range(Cin):
                        for u in range(KH):
                            for v in range(KW):
                                total += xp[n, c, i * stride + u, j * stride + v] * w[o, c, u, v]
                    out[n, o, i, j] = total
    return out
''',
    },
    {
        "cell": "conv2d_loops",
        "passes": False,
        "why": "flips the kernel: true convolution instead of cross-correlation",
        "message": "no flip",
        "source": '''
def conv2d_loops(x, w, b, stride=1, padding=0):
    N, Cin, H, W = x.shape
    Cout, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, Cout, Ho, Wo))
    wf = w[:, :, ::-1, ::-1]
    for n in range(N):
        for o in range(Cout):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, o, i, j] = np.sum(window * wf[o]) + b[o]
    return out
''',
    },
    {
        "cell": "conv2d_loops",
        "passes": False,
        "why": "pads 2p zeros after the image only (right size, shifted values)",
        "message": "does not match",
        "source": '''
def conv2d_loops(x, w, b, stride=1, padding=0):
    N, Cin, H, W = x.shape
    Cout, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, Cout, Ho, Wo))
    for n in range(N):
        for o in range(Cout):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, o, i, j] = np.sum(window * w[o]) + b[o]
    return out
''',
    },
    {
        "cell": "conv2d_loops",
        "passes": False,
        "why": "forgets the stride in the window's start (right size, wrong windows)",
        "message": "stride=2",
        "source": '''
def conv2d_loops(x, w, b, stride=1, padding=0):
    N, Cin, H, W = x.shape
    Cout, _, KH, KW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    out = np.zeros((N, Cout, Ho, Wo))
    for n in range(N):
        for o in range(Cout):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, o, i, j] = np.sum(xp[n, :, i:i + KH, j:j + KW] * w[o]) + b[o]
    return out
''',
    },
    # ---- conv2d_im2col (class Conv2d) ---------------------------------------------------------------------------
    {
        "cell": "conv2d_im2col",
        "passes": True,
        "why": "own window matrix in (u, v, c) column order with matching weight layout; np.add.at scatter",
        "source": '''
class Conv2d:
    def __init__(self, w, b, stride=1, padding=0):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.stride, self.padding = stride, padding

    def forward(self, x):
        w, b, s, p = self.params["w"], self.params["b"], self.stride, self.padding
        Cout, Cin, KH, KW = w.shape
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        win = sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::s, ::s]     # (N, C, Ho, Wo, KH, KW)
        N, _, Ho, Wo = win.shape[:4]
        cols = win.transpose(0, 2, 3, 4, 5, 1).reshape(N * Ho * Wo, KH * KW * Cin)  # columns in (u, v, c) order
        wmat = w.transpose(0, 2, 3, 1).reshape(Cout, -1)
        self.cache = (xp.shape, cols, Ho, Wo)
        return (cols @ wmat.T + b).reshape(N, Ho, Wo, Cout).transpose(0, 3, 1, 2)

    def backward(self, dout):
        w, s, p = self.params["w"], self.stride, self.padding
        Cout, Cin, KH, KW = w.shape
        xp_shape, cols, Ho, Wo = self.cache
        N = xp_shape[0]
        dmat = dout.transpose(0, 2, 3, 1).reshape(-1, Cout)
        self.grads["w"] = (dmat.T @ cols).reshape(Cout, KH, KW, Cin).transpose(0, 3, 1, 2)
        self.grads["b"] = dmat.sum(axis=0)
        dcols = (dmat @ w.transpose(0, 2, 3, 1).reshape(Cout, -1)).reshape(N, Ho, Wo, KH, KW, Cin)
        dxp = np.zeros(xp_shape)
        n, i, j, u, v, c = np.indices(dcols.shape, sparse=True)
        np.add.at(dxp, (n, c, i * s + u, j * s + v), dcols)
        return dxp[:, :, p:xp_shape[2] - p, p:xp_shape[3] - p]
''',
    },
    {
        "cell": "conv2d_im2col",
        "passes": True,
        "why": "the given im2col/col2im with einsum and tensordot instead of matrix products",
        "source": '''
class Conv2d:
    def __init__(self, w, b, stride=1, padding=0):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.stride, self.padding = stride, padding

    def forward(self, x):
        w, b = self.params["w"], self.params["b"]
        Cout, Cin, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho = (H + 2 * self.padding - KH) // self.stride + 1
        Wo = (W + 2 * self.padding - KW) // self.stride + 1
        cols = im2col(x, KH, KW, self.stride, self.padding).reshape(N, Ho, Wo, Cin, KH, KW)
        self.cache = (x, cols)
        return np.einsum("nhwcuv,ocuv->nohw", cols, w) + b[:, None, None]

    def backward(self, dout):
        w = self.params["w"]
        Cout, Cin, KH, KW = w.shape
        x, cols = self.cache
        self.grads["w"] = np.einsum("nohw,nhwcuv->ocuv", dout, cols)
        self.grads["b"] = dout.sum(axis=(0, 2, 3))
        dcols = np.tensordot(dout, w, axes=([1], [0]))                       # (N, Ho, Wo, Cin, KH, KW)
        return col2im(dcols.reshape(-1, Cin * KH * KW), x.shape, KH, KW, self.stride, self.padding)
''',
    },
    {
        "cell": "conv2d_im2col",
        "passes": False,
        "why": "wrong reshape order in forward: (N Ho Wo, Cout) reshaped straight to (N, Cout, Ho, Wo)",
        "message": "reshape alone never moves an axis",
        "source": '''
class Conv2d:
    def __init__(self, w, b, stride=1, padding=0):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.stride, self.padding = stride, padding

    def forward(self, x):
        w, b = self.params["w"], self.params["b"]
        Cout, Cin, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho = (H + 2 * self.padding - KH) // self.stride + 1
        Wo = (W + 2 * self.padding - KW) // self.stride + 1
        cols = im2col(x, KH, KW, self.stride, self.padding)
        self.cache = (x.shape, cols)
        return (cols @ w.reshape(Cout, -1).T + b).reshape(N, Cout, Ho, Wo)

    def backward(self, dout):
        w = self.params["w"]
        Cout, Cin, KH, KW = w.shape
        x_shape, cols = self.cache
        dmat = dout.reshape(-1, Cout)
        self.grads["w"] = (dmat.T @ cols).reshape(w.shape)
        self.grads["b"] = dmat.sum(axis=0)
        return col2im(dmat @ w.reshape(Cout, -1), x_shape, KH, KW, self.stride, self.padding)
''',
    },
    {
        "cell": "conv2d_im2col",
        "passes": False,
        "why": "right forward, but dout reshaped to rows without the transpose in backward",
        "message": "dx",
        "source": '''
class Conv2d:
    def __init__(self, w, b, stride=1, padding=0):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.stride, self.padding = stride, padding

    def forward(self, x):
        w, b = self.params["w"], self.params["b"]
        Cout, Cin, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho = (H + 2 * self.padding - KH) // self.stride + 1
        Wo = (W + 2 * self.padding - KW) // self.stride + 1
        cols = im2col(x, KH, KW, self.stride, self.padding)
        self.cache = (x.shape, cols)
        return (cols @ w.reshape(Cout, -1).T + b).reshape(N, Ho, Wo, Cout).transpose(0, 3, 1, 2)

    def backward(self, dout):
        w = self.params["w"]
        Cout, Cin, KH, KW = w.shape
        x_shape, cols = self.cache
        dmat = dout.reshape(-1, Cout)
        self.grads["w"] = (dmat.T @ cols).reshape(w.shape)
        self.grads["b"] = dmat.sum(axis=0)
        return col2im(dmat @ w.reshape(Cout, -1), x_shape, KH, KW, self.stride, self.padding)
''',
    },
    {
        "cell": "conv2d_im2col",
        "passes": False,
        "why": "kernel gradient as (cols.T @ dmat).reshape(w.shape): the transpose of the right matrix",
        "message": "dw vs torch autograd",
        "source": '''
class Conv2d:
    def __init__(self, w, b, stride=1, padding=0):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.stride, self.padding = stride, padding

    def forward(self, x):
        w, b = self.params["w"], self.params["b"]
        Cout, Cin, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho = (H + 2 * self.padding - KH) // self.stride + 1
        Wo = (W + 2 * self.padding - KW) // self.stride + 1
        cols = im2col(x, KH, KW, self.stride, self.padding)
        self.cache = (x.shape, cols)
        return (cols @ w.reshape(Cout, -1).T + b).reshape(N, Ho, Wo, Cout).transpose(0, 3, 1, 2)

    def backward(self, dout):
        w = self.params["w"]
        Cout, Cin, KH, KW = w.shape
        x_shape, cols = self.cache
        dmat = dout.transpose(0, 2, 3, 1).reshape(-1, Cout)
        self.grads["w"] = (cols.T @ dmat).reshape(w.shape)
        self.grads["b"] = dmat.sum(axis=0)
        return col2im(dmat @ w.reshape(Cout, -1), x_shape, KH, KW, self.stride, self.padding)
''',
    },
    {
        "cell": "conv2d_im2col",
        "passes": False,
        "why": "bias gradient as a mean over positions instead of a sum",
        "message": "db vs torch autograd",
        "source": '''
class Conv2d:
    def __init__(self, w, b, stride=1, padding=0):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.stride, self.padding = stride, padding

    def forward(self, x):
        w, b = self.params["w"], self.params["b"]
        Cout, Cin, KH, KW = w.shape
        N, _, H, W = x.shape
        Ho = (H + 2 * self.padding - KH) // self.stride + 1
        Wo = (W + 2 * self.padding - KW) // self.stride + 1
        cols = im2col(x, KH, KW, self.stride, self.padding)
        self.cache = (x.shape, cols)
        return (cols @ w.reshape(Cout, -1).T + b).reshape(N, Ho, Wo, Cout).transpose(0, 3, 1, 2)

    def backward(self, dout):
        w = self.params["w"]
        Cout, Cin, KH, KW = w.shape
        x_shape, cols = self.cache
        dmat = dout.transpose(0, 2, 3, 1).reshape(-1, Cout)
        self.grads["w"] = (dmat.T @ cols).reshape(w.shape)
        self.grads["b"] = dmat.mean(axis=0)
        return col2im(dmat @ w.reshape(Cout, -1), x_shape, KH, KW, self.stride, self.padding)
''',
    },
    # ---- maxpool2d (class MaxPool2d) ----------------------------------------------------------------------------
    {
        "cell": "maxpool2d",
        "passes": True,
        "why": "vectorised: sliding windows, argmax over the flattened window, np.add.at scatter",
        "source": '''
class MaxPool2d:
    def __init__(self, kernel_size=2, stride=None):
        self.k = kernel_size
        self.stride = stride or kernel_size
        self.params, self.grads = {}, {}

    def forward(self, x):
        k, s = self.k, self.stride
        win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
        flat = win.reshape(*win.shape[:4], k * k)
        self.cache = (x.shape, flat.argmax(axis=-1))
        return flat.max(axis=-1)

    def backward(self, dout):
        k, s = self.k, self.stride
        x_shape, arg = self.cache
        N, C, Ho, Wo = dout.shape
        n, c, i, j = np.indices(dout.shape, sparse=True)
        dx = np.zeros(x_shape)
        np.add.at(dx, (n, c, i * s + arg // k, j * s + arg % k), dout)
        return dx
''',
    },
    {
        "cell": "maxpool2d",
        "passes": True,
        "why": "scalar loops over every window with np.unravel_index, recomputing the winner in backward",
        "source": '''
class MaxPool2d:
    def __init__(self, kernel_size=2, stride=None):
        self.k = kernel_size
        self.stride = stride or kernel_size
        self.params, self.grads = {}, {}

    def forward(self, x):
        k, s = self.k, self.stride
        N, C, H, W = x.shape
        Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
        self.x = x
        out = np.zeros((N, C, Ho, Wo))
        for n in range(N):
            for c in range(C):
                for i in range(Ho):
                    for j in range(Wo):
                        out[n, c, i, j] = x[n, c, i * s:i * s + k, j * s:j * s + k].max()
        return out

    def backward(self, dout):
        k, s, x = self.k, self.stride, self.x
        dx = np.zeros_like(x)
        N, C, Ho, Wo = dout.shape
        for n in range(N):
            for c in range(C):
                for i in range(Ho):
                    for j in range(Wo):
                        window = x[n, c, i * s:i * s + k, j * s:j * s + k]
                        u, v = np.unravel_index(np.argmax(window), window.shape)
                        dx[n, c, i * s + u, j * s + v] += dout[n, c, i, j]
        return dx
''',
    },
    {
        "cell": "maxpool2d",
        "passes": False,
        "why": "spreads each window's gradient evenly (the gradient of average-pooling)",
        "message": "single winner",
        "source": '''
class MaxPool2d:
    def __init__(self, kernel_size=2, stride=None):
        self.k = kernel_size
        self.stride = stride or kernel_size
        self.params, self.grads = {}, {}

    def forward(self, x):
        k, s = self.k, self.stride
        N, C, H, W = x.shape
        Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
        self.x_shape = x.shape
        out = np.zeros((N, C, Ho, Wo))
        for i in range(Ho):
            for j in range(Wo):
                out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
        return out

    def backward(self, dout):
        k, s = self.k, self.stride
        dx = np.zeros(self.x_shape)
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += dout[:, :, i, j][:, :, None, None] / (k * k)
        return dx
''',
    },
    {
        "cell": "maxpool2d",
        "passes": False,
        "why": "gives the gradient to every tied maximum (mask == max)",
        "message": "tied",
        "source": '''
class MaxPool2d:
    def __init__(self, kernel_size=2, stride=None):
        self.k = kernel_size
        self.stride = stride or kernel_size
        self.params, self.grads = {}, {}

    def forward(self, x):
        k, s = self.k, self.stride
        N, C, H, W = x.shape
        Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
        self.x = x
        out = np.zeros((N, C, Ho, Wo))
        for i in range(Ho):
            for j in range(Wo):
                out[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
        self.out = out
        return out

    def backward(self, dout):
        k, s, x = self.k, self.stride, self.x
        dx = np.zeros_like(x)
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                window = x[:, :, i * s:i * s + k, j * s:j * s + k]
                mask = window == self.out[:, :, i, j][:, :, None, None]
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += mask * dout[:, :, i, j][:, :, None, None]
        return dx
''',
    },
    {
        "cell": "maxpool2d",
        "passes": False,
        "why": "assigns (=) instead of adding (+=): overlapping windows overwrite each other's gradient",
        "message": "dx vs autograd",
        "source": '''
class MaxPool2d:
    def __init__(self, kernel_size=2, stride=None):
        self.k = kernel_size
        self.stride = stride or kernel_size
        self.params, self.grads = {}, {}

    def forward(self, x):
        k, s = self.k, self.stride
        win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
        flat = win.reshape(*win.shape[:4], k * k)
        self.cache = (x.shape, flat.argmax(axis=-1))
        return flat.max(axis=-1)

    def backward(self, dout):
        k, s = self.k, self.stride
        x_shape, arg = self.cache
        n, c, i, j = np.indices(dout.shape, sparse=True)
        dx = np.zeros(x_shape)
        dx[n, c, i * s + arg // k, j * s + arg % k] = dout
        return dx
''',
    },
    # ---- count_params -------------------------------------------------------------------------------------------
    {
        "cell": "count_params",
        "passes": True,
        "why": "np.broadcast_to for the kernel size and math.prod",
        "source": '''
def count_params(c_in, c_out, kernel_size, bias=True, groups=1):
    import math
    kh, kw = np.broadcast_to(kernel_size, (2,))
    return math.prod([c_out, c_in // groups, int(kh), int(kw)]) + c_out * bool(bias)
''',
    },
    {
        "cell": "count_params",
        "passes": True,
        "why": "per group: groups blocks of (c_out/g) filters over (c_in/g) channels",
        "source": '''
def count_params(c_in, c_out, kernel_size, bias=True, groups=1):
    kh, kw = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    per_group = (c_out // groups) * (c_in // groups) * kh * kw
    return groups * per_group + (c_out if bias else 0)
''',
    },
    {
        "cell": "count_params",
        "passes": False,
        "why": "forgets the biases",
        "message": "bias",
        "source": '''
def count_params(c_in, c_out, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * (c_in // groups) * kh * kw
''',
    },
    {
        "cell": "count_params",
        "passes": False,
        "why": "ignores groups (a depthwise conv counted as a full one)",
        "message": "groups",
        "source": '''
def count_params(c_in, c_out, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * c_in * kh * kw + (c_out if bias else 0)
''',
    },
    {
        "cell": "count_params",
        "passes": False,
        "why": "one bias per input channel instead of per output channel",
        "message": "one per output channel",
        "source": '''
def count_params(c_in, c_out, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return c_out * (c_in // groups) * kh * kw + (c_in if bias else 0)
''',
    },
    # ---- residual_block -----------------------------------------------------------------------------------------
    {
        "cell": "residual_block",
        "passes": True,
        "why": "branch as nn.Sequential, shortcut None when shapes match",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.branch = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False), nn.BatchNorm2d(out_channels), nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False), nn.BatchNorm2d(out_channels))
        self.proj = None
        if stride != 1 or in_channels != out_channels:
            self.proj = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                      nn.BatchNorm2d(out_channels))

    def forward(self, x):
        skip = x if self.proj is None else self.proj(x)
        return torch.relu(self.branch(x) + skip)
''',
    },
    {
        "cell": "residual_block",
        "passes": True,
        "why": "pre-activation ordering (BN-ReLU-conv twice, no ReLU after the sum; He et al. 2016)",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.shortcut = (nn.Identity() if stride == 1 and in_channels == out_channels
                         else nn.Conv2d(in_channels, out_channels, 1, stride, bias=False))

    def forward(self, x):
        h = self.conv1(F.relu(self.bn1(x)))
        return self.shortcut(x) + self.conv2(F.relu(self.bn2(h)))
''',
    },
    {
        "cell": "residual_block",
        "passes": False,
        "why": "no skip connection: a plain conv-BN-ReLU-conv-BN block",
        "message": "must return x itself",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))
''',
    },
    {
        "cell": "residual_block",
        "passes": False,
        "why": "the skip goes around the second conv only (adds h instead of x)",
        "message": "must return x itself",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + h)
''',
    },
    {
        "cell": "residual_block",
        "passes": False,
        "why": "always projects, even when the shapes match: the shortcut is no longer the identity",
        "message": "must return x itself",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                      nn.BatchNorm2d(out_channels))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))
''',
    },
    {
        "cell": "residual_block",
        "passes": False,
        "why": "no projection when the channels and stride change: F(x) + x cannot be added",
        "message": "1x1 conv",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + x)
''',
    },
    {
        "cell": "residual_block",
        "passes": False,
        "why": "3x3 convs without padding: the branch shrinks the map",
        "message": "padding=1",
        "source": '''
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels=None, stride=1):
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))
''',
    },
]
