"""The chapter 13 environments: Gymnasium's interface, seeded reproducibility, the model, and the physics."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course import envs


def test_gridworld_model_is_a_proper_mdp():
    env = envs.GridWorld()
    S, A = env.n_states, env.n_actions
    assert env.P.shape == (S, A, S) and env.R.shape == (S, A)
    assert np.allclose(env.P.sum(axis=2), 1.0) and (env.P >= 0).all()
    for s in np.flatnonzero(env.terminal):
        assert np.all(env.P[s, :, s] == 1.0) and np.all(env.R[s] == 0.0), "terminal states absorb with reward 0"
    assert env.kinds[env.start] == "S" and not env.terminal[env.start]


def test_gridworld_moves_walls_and_slips():
    env = envs.GridWorld(layout=("S.G", ".#."), slip=0.0)
    start = env.index[(0, 0)]
    assert env._target(start, 0) == start, "moving off the grid stays put"
    assert env._target(env.index[(1, 0)], 1) == env.index[(1, 0)], "walls block"
    assert env._target(start, 1) == env.index[(0, 1)]
    obs, _ = env.reset(seed=0)
    obs, reward, terminated, truncated, _ = env.step(1)
    assert (obs, reward, terminated, truncated) == (env.index[(0, 1)], 0.0, False, False)
    obs, reward, terminated, truncated, _ = env.step(1)
    assert (reward, terminated, truncated) == (1.0, True, False)
    with pytest.raises(RuntimeError):
        env.step(0)
    slippery = envs.GridWorld(layout=("S.G", ".#."), slip=0.4)
    s = slippery.index[(0, 1)]
    # intended move right lands on G with 1 - slip + slip/4; a slip "up" stays, "left" goes back, "down" is a wall.
    assert slippery.P[s, 1, slippery.index[(0, 2)]] == pytest.approx(0.6 + 0.1)
    assert slippery.R[s, 1] == pytest.approx(0.7)
    assert slippery.P[s, 1, s] == pytest.approx(0.2)


def test_gridworld_step_frequencies_follow_the_model():
    env = envs.GridWorld(slip=0.3)
    env.reset(seed=3)
    counts = np.zeros(env.n_states)
    n = 20000
    for _ in range(n):
        env.reset()
        counts[env.step(1)[0]] += 1
    assert np.allclose(counts / n, env.P[env.start, 1], atol=0.015)


def test_gridworld_truncates_at_its_time_limit():
    env = envs.GridWorld(layout=("S.", "..", ".G"), slip=0.0, max_steps=3)
    env.reset(seed=0)
    results = [env.step(0) for _ in range(3)]   # bump into the top edge three times
    assert [r[3] for r in results] == [False, False, True] and not any(r[2] for r in results)


def _by_hand(state, action, env):
    """Gym's CartPole-v1 step written out independently, for one state."""
    x, x_dot, theta, theta_dot = state
    force = 10.0 if action == 1 else -10.0
    total, pole_ml = 1.1, 0.1 * 0.5
    temp = (force + pole_ml * theta_dot**2 * math.sin(theta)) / total
    theta_acc = (9.8 * math.sin(theta) - math.cos(theta) * temp) / (0.5 * (4 / 3 - 0.1 * math.cos(theta) ** 2 / total))
    x_acc = temp - pole_ml * theta_acc * math.cos(theta) / total
    return np.array([x + 0.02 * x_dot, x_dot + 0.02 * x_acc, theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc])


def test_cartpole_step_matches_the_equations_of_motion_by_hand():
    env = envs.CartPole()
    # upright and at rest, a push right accelerates the cart right and tips the pole left (theta decreases)
    after = env.dynamics(np.zeros(4), 1)
    assert after[1] == pytest.approx(0.02 * (10 / 1.1 + 0.1 * 0.5 * (10 / 1.1) / (0.5 * (4 / 3 - 0.1 / 1.1)) / 1.1))
    assert after[3] == pytest.approx(0.02 * -(10 / 1.1) / (0.5 * (4 / 3 - 0.1 / 1.1)))
    assert after[0] == 0.0 and after[2] == 0.0, "Euler: positions move with the old velocities"
    state = np.array([0.1, -0.3, 0.05, 0.4])
    for action in (0, 1):
        assert np.allclose(env.dynamics(state, action), _by_hand(state, action, env), rtol=1e-12, atol=1e-15)


@given(st.lists(st.floats(-0.2, 0.2), min_size=4, max_size=4), st.integers(0, 1))
def test_cartpole_scalar_step_and_batched_dynamics_agree(state, action):
    env = envs.CartPole()
    state = np.array(state)
    assert np.allclose(env._euler(*state, action), env.dynamics(state, action), rtol=1e-12, atol=1e-15)
    batch = np.stack([state, -state])
    assert np.allclose(env.dynamics(batch, np.array([action, 1 - action]))[1], env.dynamics(-state, 1 - action))


def test_cartpole_is_symmetric():
    env = envs.CartPole()
    state = np.array([0.3, 0.2, -0.05, 0.1])
    assert np.allclose(env.dynamics(state, 1), -env.dynamics(-state, 0))


def test_cartpole_seeding_reproduces_episodes():
    def episode(seed):
        env = envs.CartPole()
        obs, _ = env.reset(seed=seed)
        trace = [obs]
        for t in range(30):
            obs, _, terminated, truncated, _ = env.step(t % 2)
            trace.append(obs)
            if terminated or truncated:
                break
        return np.array(trace)

    assert np.array_equal(episode(4), episode(4))
    assert not np.array_equal(episode(4), episode(5))
    obs, _ = envs.CartPole().reset(seed=0)
    assert obs.shape == (4,) and obs.dtype == np.float32 and np.all(np.abs(obs) <= 0.05)


def test_cartpole_terminates_when_the_pole_falls_and_truncates_at_the_limit():
    env = envs.CartPole(max_steps=500)
    env.reset(seed=0)
    steps, terminated = 0, False
    while not terminated:
        _, reward, terminated, truncated, _ = env.step(1)   # always push right: the pole falls left
        steps += 1
        assert reward == 1.0 and not truncated
    assert 5 < steps < 40 and env.state[2] < -env.theta_threshold
    with pytest.raises(RuntimeError):
        env.step(0)
    short = envs.CartPole(max_steps=3)
    short.reset(seed=0)
    flags = [short.step(t % 2)[2:4] for t in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]
    fresh = envs.CartPole()
    fresh.reset(seed=0)
    with pytest.raises(ValueError):
        fresh.step(2)


def test_importing_course_stays_light():
    import subprocess
    import sys

    code = "import sys, course, course.envs; print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
