"""PyTorch reference of one SAC + ROER update, for bench/sac-update.bench.ts.

The same update as core/agents/sac.ts (and the official ROER code): twin Q critics with a Huber
loss weighted per sample and a gradient penalty on dQ/da (double backward), Polyak target
critics, the ROER value net with the Gumbel loss, a tanh-Gaussian actor and a learned
temperature. Shapes: observation 17, action 6, hidden 256x256, batch 256.

Usage: sac_update.py [THREADS] (default: PyTorch's own choice). THREADS sets torch's intra-op
threads; set OPENBLAS_NUM_THREADS to the same number in the environment (the benchmark does).

Protocol (line based, so the benchmark can interleave it with ours in one run):
  stdin "run N"  -> runs N updates, prints {"seconds": wall time, "cpu_seconds": process CPU time}
  stdin "scale F" -> multiplies the critics and their targets by F (penalty active on most rows)
  stdin "quit"   -> exits
The first line printed is {"ready": true, "torch": version, "threads": n, "blas": ...}.
"""

import json
import math
import sys
import time

import torch
from torch import nn

OBS, ACT, HIDDEN, BATCH = 17, 6, 256, 256
GAMMA, TAU, BETA, CLIP, HUBER, GP = 0.99, 0.005, 1.0, 7.0, 20.0, 1.0
LOG_STD_MIN, LOG_STD_MAX = -10.0, 2.0


def mlp(inputs, outputs):
    layers = [nn.Linear(inputs, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, outputs)]
    for layer in layers:
        if isinstance(layer, nn.Linear):
            nn.init.orthogonal_(layer.weight, math.sqrt(2))
            nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


class Twin(nn.Module):
    def __init__(self):
        super().__init__()
        self.q1 = mlp(OBS + ACT, 1)
        self.q2 = mlp(OBS + ACT, 1)

    def forward(self, s, a):
        x = torch.cat([s, a], 1)
        return self.q1(x).squeeze(-1), self.q2(x).squeeze(-1)


def sample_tanh_gaussian(out):
    mean, log_std = out[:, :ACT], out[:, ACT:].clamp(LOG_STD_MIN, LOG_STD_MAX)
    std = log_std.exp()
    eps = torch.randn_like(mean)
    u = mean + std * eps
    action = torch.tanh(u)
    log_one_minus_tanh2 = 2 * (math.log(2) - u - nn.functional.softplus(-2 * u))
    log_prob = (-0.5 * eps.pow(2) - 0.5 * math.log(2 * math.pi) - log_std - log_one_minus_tanh2).sum(1)
    return action, log_prob


def huber(x, delta):
    absolute = x.abs()
    quadratic = absolute.clamp(max=delta)
    return 0.5 * quadratic.pow(2) + delta * (absolute - quadratic)


def blas_library():
    """The BLAS shared library actually mapped into this process (Debian picks it via alternatives)."""
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line.lower()}
        return ",".join(sorted(names)) or "none mapped"
    except OSError:
        return "unknown"


def main():
    if len(sys.argv) > 1:
        torch.set_num_threads(int(sys.argv[1]))
    torch.manual_seed(0)
    actor = mlp(OBS, 2 * ACT)
    critic = Twin()
    target = Twin()
    target.load_state_dict(critic.state_dict())
    value = mlp(OBS, 1)
    log_alpha = torch.zeros((), requires_grad=True)
    optimisers = [
        torch.optim.Adam(actor.parameters(), lr=3e-4),
        torch.optim.Adam(critic.parameters(), lr=3e-4),
        torch.optim.Adam(value.parameters(), lr=3e-4),
        torch.optim.Adam([log_alpha], lr=3e-4),
    ]
    actor_opt, critic_opt, value_opt, alpha_opt = optimisers
    s = torch.randn(BATCH, OBS)
    a = torch.tanh(torch.randn(BATCH, ACT))
    r = torch.randn(BATCH)
    s2 = torch.randn(BATCH, OBS)
    mask = torch.ones(BATCH)
    w = torch.ones(BATCH)

    def update():
        alpha = log_alpha.exp().detach()
        with torch.no_grad():
            next_action, next_log_prob = sample_tanh_gaussian(actor(s2))
            t1, t2 = target(s2, next_action)
            y = r + GAMMA * mask * (torch.min(t1, t2) - alpha * next_log_prob)
            noisy = (a + (0.1 * torch.randn_like(a)).clamp(-0.5, 0.5)).clamp(-1, 1)
            v1, v2 = target(s, noisy)
            value_target = torch.min(v1, v2)
        # Critics with the gradient penalty on dQ/da.
        action = a.clone().requires_grad_(True)
        q1, q2 = critic(s, action)
        loss = (w * huber(q1 - y, HUBER)).mean() + (w * huber(q2 - y, HUBER)).mean()
        g1 = torch.autograd.grad(q1.sum(), action, create_graph=True)[0]
        g2 = torch.autograd.grad(q2.sum(), action, create_graph=True)[0]
        penalty = ((g1.norm(dim=1) - 1).clamp(min=0).pow(2) + (g2.norm(dim=1) - 1).clamp(min=0).pow(2)).mean()
        critic_opt.zero_grad()
        (loss + GP * penalty).backward()
        critic_opt.step()
        with torch.no_grad():
            for p, tp in zip(critic.parameters(), target.parameters()):
                tp.mul_(1 - TAU).add_(TAU * p)
        # ROER value net.
        v = value(s).squeeze(-1)
        x = (value_target - v) / BETA
        z = x.clamp(max=CLIP)
        norm = z.exp().clamp(min=1).mean().detach()
        value_loss = ((z.exp() - z - 1 + (x - z) * (z.exp() - 1) / BETA) / norm).mean()
        value_opt.zero_grad()
        value_loss.backward()
        value_opt.step()
        with torch.no_grad():
            both = value(torch.cat([s, s2], 0)).squeeze(-1)
            td = r + GAMMA * mask * both[BATCH:] - both[:BATCH]
        # Actor through the updated critics.
        pi, log_prob = sample_tanh_gaussian(actor(s))
        p1, p2 = critic(s, pi)
        actor_loss = (alpha * log_prob - torch.min(p1, p2)).mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()
        # Temperature.
        entropy = -log_prob.detach().mean()
        alpha_loss = log_alpha.exp() * (entropy + ACT / 2)
        alpha_opt.zero_grad()
        alpha_loss.backward()
        alpha_opt.step()
        return td

    update()
    blas = blas_library()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}))
    sys.stdout.flush()
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] == "scale":
            # Scale the critics (and their targets) so that ||dQ/da|| > 1 and the penalty is active.
            factor = float(command[1])
            with torch.no_grad():
                for p in list(critic.parameters()) + list(target.parameters()):
                    p.mul_(factor)
            print(json.dumps({"scaled": factor}))
            sys.stdout.flush()
        if command[0] == "run":
            count = int(command[1])
            start = time.perf_counter()
            cpu_start = time.process_time()
            for _ in range(count):
                update()
            print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu_start}))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
