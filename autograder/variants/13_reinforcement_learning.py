"""Alternative answers for chapter 13: each replaces one answer cell and must pass or fail its test cell."""

VARIANTS = [
    # ------------------------------------------------------------------ discounted_returns
    {
        "cell": "discounted_returns",
        "passes": True,
        "why": "a linear filter run over the reversed rewards (scipy.signal.lfilter), plus the discounted last value",
        "source": '''
from scipy.signal import lfilter


def discounted_returns(rewards, gamma, last_value=0.0):
    rewards = np.asarray(rewards, dtype=float)
    T = len(rewards)
    if T == 0:
        return np.zeros(0)
    filtered = lfilter([1.0], [1.0, -gamma], rewards[::-1])[::-1]
    return filtered + last_value * gamma ** (T - np.arange(T))
''',
    },
    {
        "cell": "discounted_returns",
        "passes": True,
        "why": "the definition as a sum of discounted rewards, one dot product per step",
        "source": '''
def discounted_returns(rewards, gamma, last_value=0.0):
    r = [float(x) for x in rewards]
    T = len(r)
    out = []
    for t in range(T):
        weights = gamma ** np.arange(T - t)
        out.append(float(np.dot(weights, r[t:])) + gamma ** (T - t) * last_value)
    return np.array(out, dtype=float)
''',
    },
    {
        "cell": "discounted_returns",
        "passes": False,
        "why": "accumulated forwards: every entry is a prefix of the first step's return",
        "message": "backwards",
        "source": '''
def discounted_returns(rewards, gamma, last_value=0.0):
    rewards = np.asarray(rewards, dtype=float)
    returns = np.zeros(len(rewards))
    running = 0.0
    for t in range(len(rewards)):
        running += gamma ** t * rewards[t]
        returns[t] = running
    return returns
''',
    },
    {
        "cell": "discounted_returns",
        "passes": False,
        "why": "discounts the first reward too: G_t = gamma * (r_t + G_{t+1})",
        "message": "G_0 = 1 + 0.5 * 1",
        "source": '''
def discounted_returns(rewards, gamma, last_value=0.0):
    rewards = np.asarray(rewards, dtype=float)
    returns = np.zeros(len(rewards))
    running = float(last_value)
    for t in reversed(range(len(rewards))):
        running = gamma * (rewards[t] + running)
        returns[t] = running
    return returns
''',
    },
    {
        "cell": "discounted_returns",
        "passes": False,
        "why": "integer storage: np.zeros_like of integer rewards truncates the returns",
        "message": "integer rewards",
        "source": '''
def discounted_returns(rewards, gamma, last_value=0.0):
    rewards = np.asarray(rewards)
    returns = np.zeros_like(rewards)
    running = last_value
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns
''',
    },
    {
        "cell": "discounted_returns",
        "passes": False,
        "why": "ignores last_value (treats every episode as terminated)",
        "message": "last_value",
        "source": '''
def discounted_returns(rewards, gamma, last_value=0.0):
    rewards = np.asarray(rewards, dtype=float)
    returns = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns
''',
    },
    # ------------------------------------------------------------------ bellman_backup / value_iteration
    {
        "cell": "value_iteration",
        "passes": True,
        "why": "einsum, a while loop on the change, the policy from np.argmax of a fresh backup",
        "source": '''
def bellman_backup(V, P, R, gamma):
    return R + gamma * np.einsum("sat,t->sa", P, V)


def value_iteration(P, R, gamma, tol=1e-10, max_iterations=100_000):
    V = np.zeros(len(R))
    change, sweeps = np.inf, 0
    while change >= tol and sweeps < max_iterations:
        V_next = np.max(bellman_backup(V, P, R, gamma), axis=-1)
        change = np.abs(V_next - V).max()
        V, sweeps = V_next, sweeps + 1
    return V, np.argmax(bellman_backup(V, P, R, gamma), axis=-1)
''',
    },
    {
        "cell": "value_iteration",
        "passes": False,
        "why": "max over the wrong axis (states instead of actions)",
        "message": "axis=1",
        "source": '''
def bellman_backup(V, P, R, gamma):
    return R + gamma * P @ V


def value_iteration(P, R, gamma, tol=1e-10, max_iterations=100_000):
    V = np.zeros(P.shape[0])
    for _ in range(max_iterations):
        V_new = bellman_backup(V, P, R, gamma).max(axis=0)
        if np.max(np.abs(V_new - V)) < tol:
            V = V_new
            break
        V = V_new
    return V, bellman_backup(V, P, R, gamma).argmax(axis=1)
''',
    },
    {
        "cell": "value_iteration",
        "passes": False,
        "why": "contracts P with V over the wrong index (P.T @ V)",
        "message": "R + gamma * P @ V",
        "source": '''
def bellman_backup(V, P, R, gamma):
    return R + gamma * (P.T @ V).T


def value_iteration(P, R, gamma, tol=1e-10, max_iterations=100_000):
    V = np.zeros(P.shape[0])
    for _ in range(max_iterations):
        V_new = bellman_backup(V, P, R, gamma).max(axis=1)
        if np.max(np.abs(V_new - V)) < tol:
            V = V_new
            break
        V = V_new
    return V, bellman_backup(V, P, R, gamma).argmax(axis=1)
''',
    },
    {
        "cell": "value_iteration",
        "passes": False,
        "why": "a fixed number of sweeps instead of a stopping rule on the change",
        "message": "below tol",
        "source": '''
def bellman_backup(V, P, R, gamma):
    return R + gamma * P @ V


def value_iteration(P, R, gamma, tol=1e-10, max_iterations=100_000):
    V = np.zeros(P.shape[0])
    for _ in range(20):
        V = bellman_backup(V, P, R, gamma).max(axis=1)
    return V, bellman_backup(V, P, R, gamma).argmax(axis=1)
''',
    },
    # ------------------------------------------------------------------ epsilon_greedy / q_learning_update
    {
        "cell": "q_learning",
        "passes": True,
        "why": "uniform() for the coin, ties through isclose and an index draw, (1 - terminated) in the target",
        "source": '''
def epsilon_greedy(q_values, epsilon, rng):
    q = np.asarray(q_values, dtype=float)
    if rng.uniform() < epsilon:
        return int(rng.integers(0, q.size))
    best = np.flatnonzero(np.isclose(q, q.max(), rtol=0, atol=0))
    return int(best[rng.integers(len(best))])


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r + gamma * (1.0 - float(terminated)) * Q[s_next].max()
    delta = target - Q[s, a]
    Q[s, a] = Q[s, a] + alpha * delta
    return float(delta)
''',
    },
    {
        "cell": "q_learning",
        "passes": False,
        "why": "an epsilon-greedy that never explores",
        "message": "over ALL actions",
        "source": '''
def epsilon_greedy(q_values, epsilon, rng):
    q = np.asarray(q_values)
    return int(rng.choice(np.flatnonzero(q == q.max())))


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * np.max(Q[s_next])
    delta = float(target - Q[s, a])
    Q[s, a] += alpha * delta
    return delta
''',
    },
    {
        "cell": "q_learning",
        "passes": False,
        "why": "explores only among the non-greedy actions",
        "message": "P(greedy) = 1 - epsilon + epsilon / A",
        "source": '''
def epsilon_greedy(q_values, epsilon, rng):
    q = np.asarray(q_values)
    greedy = int(rng.choice(np.flatnonzero(q == q.max())))
    if rng.random() < epsilon:
        others = [a for a in range(len(q)) if a != greedy]
        return int(rng.choice(others))
    return greedy


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * np.max(Q[s_next])
    delta = float(target - Q[s, a])
    Q[s, a] += alpha * delta
    return delta
''',
    },
    {
        "cell": "q_learning",
        "passes": False,
        "why": "the coin the wrong way round: explores with probability 1 - epsilon",
        "message": "with epsilon = 0 the greedy action",
        "source": '''
def epsilon_greedy(q_values, epsilon, rng):
    q = np.asarray(q_values)
    if rng.random() > epsilon:
        return int(rng.integers(len(q)))
    return int(rng.choice(np.flatnonzero(q == q.max())))


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * np.max(Q[s_next])
    delta = float(target - Q[s, a])
    Q[s, a] += alpha * delta
    return delta
''',
    },
    {
        "cell": "q_learning",
        "passes": False,
        "why": "np.argmax without random tie-breaking (an all-zero table always picks action 0)",
        "message": "break ties at random",
        "source": '''
def epsilon_greedy(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(np.argmax(q_values))


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * np.max(Q[s_next])
    delta = float(target - Q[s, a])
    Q[s, a] += alpha * delta
    return delta
''',
    },
    {
        "cell": "q_learning",
        "passes": False,
        "why": "bootstraps through terminal states",
        "message": "never bootstrap through a terminal state",
        "source": '''
def epsilon_greedy(q_values, epsilon, rng):
    q = np.asarray(q_values)
    if rng.random() < epsilon:
        return int(rng.integers(len(q)))
    return int(rng.choice(np.flatnonzero(q == q.max())))


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma):
    delta = float(r + gamma * np.max(Q[s_next]) - Q[s, a])
    Q[s, a] += alpha * delta
    return delta
''',
    },
    # ------------------------------------------------------------------ ReplayBuffer
    {
        "cell": "replay_buffer",
        "passes": True,
        "why": "indices drawn with rng.choice, a transition stored as one tuple assignment per array",
        "source": '''
class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.capacity = capacity
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.next = 0
        self.size = 0

    def __len__(self):
        return self.size

    def push(self, obs, action, reward, next_obs, terminated):
        for store, value in ((self.obs, obs), (self.actions, action), (self.rewards, reward),
                             (self.next_obs, next_obs), (self.terminated, terminated)):
            store[self.next] = value
        self.next += 1
        if self.next == self.capacity:
            self.next = 0
        if self.size < self.capacity:
            self.size += 1

    def sample(self, batch_size, rng):
        idx = rng.choice(self.size, size=batch_size, replace=True)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]
''',
    },
    {
        "cell": "replay_buffer",
        "passes": False,
        "why": "samples among all capacity slots, empty ones included",
        "message": "[0, size)",
        "source": '''
class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.capacity = capacity
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.next = 0
        self.size = 0

    def __len__(self):
        return self.size

    def push(self, obs, action, reward, next_obs, terminated):
        i = self.next
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.next = (self.next + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        idx = rng.integers(0, self.capacity, size=batch_size)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]
''',
    },
    {
        "cell": "replay_buffer",
        "passes": False,
        "why": "size keeps growing past the capacity",
        "message": "holds at most 3",
        "source": '''
class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.capacity = capacity
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.next = 0
        self.size = 0

    def __len__(self):
        return self.size

    def push(self, obs, action, reward, next_obs, terminated):
        i = self.next
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.next = (self.next + 1) % self.capacity
        self.size += 1

    def sample(self, batch_size, rng):
        idx = rng.integers(0, min(self.size, self.capacity), size=batch_size)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]
''',
    },
    {
        "cell": "replay_buffer",
        "passes": False,
        "why": "writes at size instead of next: once full, the last slot is overwritten again and again",
        "message": "wrap it around",
        "source": '''
class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.capacity = capacity
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.next = 0
        self.size = 0

    def __len__(self):
        return self.size

    def push(self, obs, action, reward, next_obs, terminated):
        i = min(self.size, self.capacity - 1)
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        idx = rng.integers(0, self.size, size=batch_size)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]
''',
    },
    {
        "cell": "replay_buffer",
        "passes": False,
        "why": "indices from NumPy's global generator instead of rng",
        "message": "from rng",
        "source": '''
class ReplayBuffer:
    def __init__(self, capacity, obs_dim):
        self.capacity = capacity
        self.obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.next = 0
        self.size = 0

    def __len__(self):
        return self.size

    def push(self, obs, action, reward, next_obs, terminated):
        i = self.next
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, terminated
        self.next = (self.next + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size, rng):
        idx = np.random.randint(0, self.size, size=batch_size)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]
''',
    },
    # ------------------------------------------------------------------ dqn_loss
    {
        "cell": "dqn_loss",
        "passes": True,
        "why": "one-hot selection, a detached target through torch.where, the Huber loss written out",
        "source": '''
def dqn_loss(q_net, target_net, obs, actions, rewards, next_obs, terminated, gamma):
    q_all = q_net(obs)
    q_taken = (q_all * F.one_hot(actions.long(), q_all.shape[1]).to(q_all.dtype)).sum(dim=1)
    next_best = target_net(next_obs).max(dim=1).values.detach()
    target = torch.where(terminated > 0.5, rewards, rewards + gamma * next_best)
    error = q_taken - target
    huber = torch.where(error.abs() < 1, 0.5 * error ** 2, error.abs() - 0.5)
    return huber.mean()
''',
    },
    {
        "cell": "dqn_loss",
        "passes": False,
        "why": "bootstraps through terminal states",
        "message": "(1 - terminated)",
        "source": '''
def dqn_loss(q_net, target_net, obs, actions, rewards, next_obs, terminated, gamma):
    q_taken = q_net(obs).gather(1, actions.long().unsqueeze(1)).squeeze(1)
    with torch.no_grad():
        target = rewards + gamma * target_net(next_obs).max(dim=1).values
    return F.smooth_l1_loss(q_taken, target)
''',
    },
    {
        "cell": "dqn_loss",
        "passes": False,
        "why": "targets from the online network instead of the target network",
        "message": "Q_target(s2, a2)",
        "source": '''
def dqn_loss(q_net, target_net, obs, actions, rewards, next_obs, terminated, gamma):
    q_taken = q_net(obs).gather(1, actions.long().unsqueeze(1)).squeeze(1)
    with torch.no_grad():
        target = rewards + gamma * (1 - terminated) * q_net(next_obs).max(dim=1).values
    return F.smooth_l1_loss(q_taken, target)
''',
    },
    {
        "cell": "dqn_loss",
        "passes": False,
        "why": "forgets to detach the target: gradients flow into the target network",
        "message": "gradient reached the target network",
        "source": '''
def dqn_loss(q_net, target_net, obs, actions, rewards, next_obs, terminated, gamma):
    q_taken = q_net(obs).gather(1, actions.long().unsqueeze(1)).squeeze(1)
    target = rewards + gamma * (1 - terminated) * target_net(next_obs).max(dim=1).values
    return F.smooth_l1_loss(q_taken, target)
''',
    },
    {
        "cell": "dqn_loss",
        "passes": False,
        "why": "max_a Q(s, a) instead of the value of the action taken",
        "message": "action TAKEN",
        "source": '''
def dqn_loss(q_net, target_net, obs, actions, rewards, next_obs, terminated, gamma):
    q_best = q_net(obs).max(dim=1).values
    with torch.no_grad():
        target = rewards + gamma * (1 - terminated) * target_net(next_obs).max(dim=1).values
    return F.smooth_l1_loss(q_best, target)
''',
    },
    {
        "cell": "dqn_loss",
        "passes": False,
        "why": "the squared error instead of the Huber loss",
        "message": "Huber",
        "source": '''
def dqn_loss(q_net, target_net, obs, actions, rewards, next_obs, terminated, gamma):
    q_taken = q_net(obs).gather(1, actions.long().unsqueeze(1)).squeeze(1)
    with torch.no_grad():
        target = rewards + gamma * (1 - terminated) * target_net(next_obs).max(dim=1).values
    return F.mse_loss(q_taken, target)
''',
    },
    # ------------------------------------------------------------------ reinforce_loss
    {
        "cell": "reinforce_loss",
        "passes": True,
        "why": "sum over numel, returns and baseline detached one by one",
        "source": '''
def reinforce_loss(log_probs, returns, baseline):
    advantage = returns.detach() - torch.as_tensor(baseline).detach()
    return -(log_probs * advantage).sum() / log_probs.numel()
''',
    },
    {
        "cell": "reinforce_loss",
        "passes": False,
        "why": "the wrong sign: gradient descent then lowers the expected return",
        "message": "keep the minus sign",
        "source": '''
def reinforce_loss(log_probs, returns, baseline):
    return (log_probs * (returns - baseline).detach()).mean()
''',
    },
    {
        "cell": "reinforce_loss",
        "passes": False,
        "why": "the baseline is never subtracted",
        "message": "subtract the baseline",
        "source": '''
def reinforce_loss(log_probs, returns, baseline):
    return -(log_probs * returns.detach()).mean()
''',
    },
    {
        "cell": "reinforce_loss",
        "passes": False,
        "why": "the advantage is not detached: gradient flows into the baseline",
        "message": "detach the advantage",
        "source": '''
def reinforce_loss(log_probs, returns, baseline):
    return -(log_probs * (returns - baseline)).mean()
''',
    },
    {
        "cell": "reinforce_loss",
        "passes": False,
        "why": "a sum instead of a mean over the time steps",
        "message": "-mean(log_probs * (returns - baseline))",
        "source": '''
def reinforce_loss(log_probs, returns, baseline):
    return -(log_probs * (returns - baseline).detach()).sum()
''',
    },
]
