"""Small reinforcement-learning environments written for chapter 13, in NumPy, with Gymnasium's interface.

The course runs offline on two CPU cores, so the environments are ours rather than Gym's: a gridworld whose
transition model is known (value iteration needs it, and it lets a test solve for the exact values), and the
classic cart-pole balancing task integrated from its equations of motion. Both follow Gymnasium's conventions so
that what a learner writes here carries over:

- ``obs, info = env.reset(seed=...)`` starts an episode (a seed makes it reproducible);
- ``obs, reward, terminated, truncated, info = env.step(action)``. ``terminated`` means the task itself ended (the
  pole fell, the agent reached the goal): there is no future reward to bootstrap from. ``truncated`` means only
  that a time limit cut the episode short: the state still had a future, and a value estimate must bootstrap.

Learners never implement anything here: the algorithms (value iteration, Q-learning, DQN, REINFORCE) are theirs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# ----------------------------------------------------------------------------------------------------- gridworld

ACTIONS = ("up", "right", "down", "left")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
ARROWS = ("↑", "→", "↓", "←")

# The chapter's default map. S start, G the goal (+1, ends the episode), T a small treasure close to the start
# (+0.3, also ends the episode: the trap a purely greedy agent falls into), X a pit (-1, ends the episode),
# # a wall. Every move costs nothing; discounting alone makes the short way better.
DEFAULT_LAYOUT = (
    "...#..G",
    ".#.#.#X",
    ".#.....",
    "T#.#.#.",
    "S..#...",
)
CELL_REWARDS = {"G": 1.0, "T": 0.3, "X": -1.0}


@dataclass
class GridWorld:
    """A grid of cells with walls, reward cells that end the episode, and slippery moves.

    ``layout`` is a list of equal-length strings (see ``DEFAULT_LAYOUT``). Actions are 0 up, 1 right, 2 down,
    3 left. With probability ``slip`` the intended action is replaced by a uniformly random one (possibly the same),
    so the model is stochastic but known exactly: ``P[s, a, s']`` and the expected reward ``R[s, a]``. Moving into a
    wall or off the grid leaves the agent where it was. Entering a reward cell pays its reward and ends the episode.

    States are the numbers of the free cells, in reading order; walls have no state. The terminal states (reward
    cells) are absorbing with zero reward in the model, so ``V = max_a R + gamma P V`` holds there with ``V = 0``.
    """

    layout: tuple[str, ...] = DEFAULT_LAYOUT
    slip: float = 0.1
    max_steps: int = 100
    rewards: dict[str, float] = field(default_factory=lambda: dict(CELL_REWARDS))

    def __post_init__(self) -> None:
        rows = [str(r) for r in self.layout]
        if len({len(r) for r in rows}) != 1:
            raise ValueError("every row of the layout must have the same length")
        self.shape = (len(rows), len(rows[0]))
        self.cells = [(i, j) for i, row in enumerate(rows) for j, ch in enumerate(row) if ch != "#"]
        self.index = {cell: s for s, cell in enumerate(self.cells)}
        self.kinds = [rows[i][j] for i, j in self.cells]
        if self.kinds.count("S") != 1:
            raise ValueError("the layout needs exactly one start cell S")
        self.start = self.kinds.index("S")
        self.n_states, self.n_actions = len(self.cells), len(ACTIONS)
        self.terminal = np.array([k in self.rewards for k in self.kinds])
        self.P, self.R = self._model()
        self._rng = np.random.default_rng()
        self.state, self.steps = self.start, 0

    def _target(self, s: int, a: int) -> int:
        """Where the deterministic move ``a`` from state ``s`` lands (walls and edges block)."""
        i, j = self.cells[s]
        di, dj = MOVES[a]
        return self.index.get((i + di, j + dj), s)

    def _model(self) -> tuple[np.ndarray, np.ndarray]:
        S, A = self.n_states, self.n_actions
        P = np.zeros((S, A, S))
        R = np.zeros((S, A))
        for s in range(S):
            if self.terminal[s]:
                P[s, :, s] = 1.0
                continue
            for a in range(A):
                for actual in range(A):
                    p = (1 - self.slip) * (actual == a) + self.slip / A
                    s2 = self._target(s, actual)
                    P[s, a, s2] += p
                    R[s, a] += p * self.rewards.get(self.kinds[s2], 0.0)
        return P, R

    def reset(self, seed: int | None = None, options: dict | None = None) -> tuple[int, dict[str, Any]]:
        """Start at S. A seed re-seeds the slips; without one the generator carries on from where it was."""
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.state, self.steps = self.start, 0
        return self.state, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Move (or slip), pay the reward of the cell entered; ``terminated`` on a reward cell."""
        if self.terminal[self.state]:
            raise RuntimeError("the episode has ended: call reset() before step()")
        if not 0 <= int(action) < self.n_actions:
            raise ValueError(f"action must be an integer in [0, {self.n_actions}), got {action!r}")
        actual = int(action)
        if self._rng.random() < self.slip:
            actual = int(self._rng.integers(self.n_actions))
        self.state = self._target(self.state, actual)
        self.steps += 1
        reward = self.rewards.get(self.kinds[self.state], 0.0)
        terminated = bool(self.terminal[self.state])
        truncated = not terminated and self.steps >= self.max_steps
        return self.state, reward, terminated, truncated, {}

    def grid(self, values: np.ndarray) -> np.ndarray:
        """Per-state ``values`` (S,) laid out on the grid (H, W), NaN on walls: for imshow and printing."""
        out = np.full(self.shape, np.nan)
        for s, (i, j) in enumerate(self.cells):
            out[i, j] = values[s]
        return out

    def draw(self, ax: Any, values: np.ndarray | None = None, policy: np.ndarray | None = None,
             title: str = "", path: list[int] | None = None) -> Any:
        """The map with optional state values as colours, a policy (S,) as arrows and a path of states."""
        H, W = self.shape
        shown = self.grid(np.zeros(self.n_states) if values is None else np.asarray(values, dtype=float))
        finite = shown[np.isfinite(shown)]
        span = max(1e-9, float(np.abs(finite).max())) if finite.size else 1.0
        ax.imshow(np.ma.masked_invalid(shown), cmap="RdYlGn", vmin=-span, vmax=span)
        ax.imshow(np.ma.masked_where(~np.isnan(shown), np.ones(self.shape)), cmap="Greys", vmin=0, vmax=1.5)
        for s, (i, j) in enumerate(self.cells):
            kind = self.kinds[s]
            if kind in self.rewards or kind == "S":
                ax.text(j, i - 0.28, kind, ha="center", va="center", fontsize=8, weight="bold")
            if values is not None:
                ax.text(j, i + 0.3, f"{values[s]:.2f}", ha="center", va="center", fontsize=7)
            if policy is not None and not self.terminal[s]:
                ax.text(j, i, ARROWS[int(policy[s])], ha="center", va="center", fontsize=13)
        if path:
            ij = np.array([self.cells[s] for s in path], dtype=float)
            ax.plot(ij[:, 1], ij[:, 0], "-", color="C0", lw=2, alpha=0.6)
        ax.set_xticks(np.arange(-0.5, W), minor=True)
        ax.set_yticks(np.arange(-0.5, H), minor=True)
        ax.grid(which="minor", color="0.6", lw=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set_title(title, fontsize=10)
        return ax


# ----------------------------------------------------------------------------------------------------- cart-pole


@dataclass
class CartPole:
    """Balance a pole on a cart by pushing the cart left or right: Barto, Sutton & Anderson (1983).

    The constants are Gymnasium's ``CartPole-v1``: gravity 9.8 m/s², cart 1.0 kg, pole 0.1 kg, half-length of the
    pole 0.5 m, force ±10 N, time step 0.02 s with explicit Euler integration. An episode ends (``terminated``)
    when the pole leans more than 12° or the cart leaves ±2.4 m, and is cut off (``truncated``) after
    ``max_steps`` steps: 500 in v1, 200 in the older v0. The reward is +1 for every step, the last one included.

    The state is ``(x, x_dot, theta, theta_dot)``, theta measured from upright, positive clockwise (the pole falls
    to the right for positive theta); action 0 pushes left, 1 pushes right. The equations of motion are those of a
    frictionless cart and pole; Florian (2007), *Correct equations for the dynamics of the cart-pole system*, derives
    them and corrects the friction terms of the 1983 paper, which vanish here.
    """

    max_steps: int = 500
    gravity: float = 9.8
    masscart: float = 1.0
    masspole: float = 0.1
    length: float = 0.5  # half the pole's length
    force_mag: float = 10.0
    tau: float = 0.02
    theta_threshold: float = 12 * 2 * math.pi / 360
    x_threshold: float = 2.4

    n_actions = 2
    obs_dim = 4

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng()
        self.state = np.zeros(4)
        self.steps = 0
        self.done = True

    def dynamics(self, state: np.ndarray, action: np.ndarray | int) -> np.ndarray:
        """One Euler step of the equations of motion, for one state (4,) or a batch (N, 4) with actions (N,).

        With the total mass M = m_c + m_p, the pole's half-length l and the push F = ±force_mag:

            temp   = (F + m_p l theta_dot² sin theta) / M
            theta_acc = (g sin theta - cos theta · temp) / (l (4/3 - m_p cos² theta / M))
            x_acc  = temp - m_p l theta_acc cos theta / M

        then positions advance with the old velocities and velocities with the new accelerations (Gym's "euler").
        """
        state = np.asarray(state, dtype=float)
        x, x_dot, theta, theta_dot = np.moveaxis(state, -1, 0)
        force = np.where(np.asarray(action) == 1, self.force_mag, -self.force_mag)
        cos, sin = np.cos(theta), np.sin(theta)
        total = self.masspole + self.masscart
        temp = (force + self.masspole * self.length * theta_dot**2 * sin) / total
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * cos**2 / total))
        x_acc = temp - self.masspole * self.length * theta_acc * cos / total
        return np.stack([x + self.tau * x_dot, x_dot + self.tau * x_acc,
                         theta + self.tau * theta_dot, theta_dot + self.tau * theta_acc], axis=-1)

    def _euler(self, x: float, x_dot: float, theta: float, theta_dot: float, action: int) -> tuple[float, ...]:
        """:meth:`dynamics` for one state in plain floats: ten times faster than NumPy on four numbers."""
        force = self.force_mag if action == 1 else -self.force_mag
        cos, sin = math.cos(theta), math.sin(theta)
        total = self.masspole + self.masscart
        temp = (force + self.masspole * self.length * theta_dot**2 * sin) / total
        theta_acc = (self.gravity * sin - cos * temp) / (self.length * (4.0 / 3.0 - self.masspole * cos**2 / total))
        x_acc = temp - self.masspole * self.length * theta_acc * cos / total
        return (x + self.tau * x_dot, x_dot + self.tau * x_acc, theta + self.tau * theta_dot,
                theta_dot + self.tau * theta_acc)

    def failed(self, state: np.ndarray) -> np.ndarray | bool:
        """True where the cart left the track or the pole leaned past the threshold."""
        state = np.asarray(state)
        return (np.abs(state[..., 0]) > self.x_threshold) | (np.abs(state[..., 2]) > self.theta_threshold)

    def reset(self, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """A new episode from a random state near upright: every coordinate uniform in [-0.05, 0.05]."""
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.state = self._rng.uniform(-0.05, 0.05, size=4)
        self.steps, self.done = 0, False
        return self.state.astype(np.float32), {}

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Push, integrate one time step, and report whether the pole fell or time ran out."""
        if self.done:
            raise RuntimeError("the episode has ended: call reset() before step()")
        if action not in (0, 1):
            raise ValueError(f"action must be 0 (push left) or 1 (push right), got {action!r}")
        self.state = np.array(self._euler(*self.state, action))
        self.steps += 1
        x, _, theta, _ = self.state
        terminated = abs(x) > self.x_threshold or abs(theta) > self.theta_threshold
        truncated = not terminated and self.steps >= self.max_steps
        self.done = terminated or truncated
        return self.state.astype(np.float32), 1.0, terminated, truncated, {}

    def draw(self, ax: Any, state: np.ndarray, title: str = "") -> Any:
        """The cart, the pole (drawn at its full length, 2 l) and the track limits, for one state (4,)."""
        from matplotlib.patches import Rectangle

        x, _, theta, _ = np.asarray(state, dtype=float)
        pole = 2 * self.length
        ax.axhline(0, color="0.5", lw=1)
        for edge in (-self.x_threshold, self.x_threshold):
            ax.axvline(edge, color="C3", ls="--", lw=1)
        ax.add_patch(Rectangle((x - 0.25, -0.075), 0.5, 0.15, color="C0"))
        ax.plot([x, x + pole * math.sin(theta)], [0.075, 0.075 + pole * math.cos(theta)], color="C1", lw=4,
                solid_capstyle="round")
        ax.set_xlim(-self.x_threshold - 0.3, self.x_threshold + 0.3)
        ax.set_ylim(-0.3, 1.3)
        ax.set_aspect("equal")
        ax.set_yticks([])
        ax.set_xlabel("x (m)")
        ax.set_title(title, fontsize=10)
        return ax
