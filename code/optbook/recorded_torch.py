r"""PyTorch's Adam, recorded: numbers and source lines that chapter 10 shows without torch.

The book's readers do not need PyTorch. Chapter 10 ("Adam in practice") walks
through ``torch.optim.Adam`` and compares it with the package, so it needs
PyTorch's numbers; they are stored here as literals, and
``tests/test_recorded_torch.py`` reruns PyTorch and checks that a live run
gives exactly these numbers, and that the package reproduces them.

How they were obtained (``python tests/test_recorded_torch.py`` prints them):
torch 2.13.0 (CPU build), float64 tensors, Rosenbrock's function
f(x, y) = (1 − x)² + 100(y − x²)² from θ₀ = (−1.2, 1), lr = 0.01, the other
hyperparameters at PyTorch's defaults unless the case says otherwise, 10
steps. Before each step the exact gradient ∇f(θ_{t−1}) (computed in float64 by
:func:`optbook.functions.rosenbrock`) is written to ``p.grad``; no autograd.
``PATHS[case]`` holds θ₀, …, θ₁₀.

Cases (``torch.optim`` call → the package's counterpart, checked by the test):

- ``default``: ``Adam(lr=0.01)`` → ``Adam(lr=0.01)``;
- ``weight_decay``: ``Adam(lr=0.01, weight_decay=0.5)`` → ``Adam`` fed
  g + 0.5 θ (L2 added to the gradient);
- ``decoupled_weight_decay``: ``Adam(..., weight_decay=0.5,
  decoupled_weight_decay=True)`` → ``AdamW(weight_decay=0.5,
  decay_scaled_by_lr=True)``;
- ``AdamW``: ``AdamW(lr=0.01, weight_decay=0.5)``, the same numbers;
- ``amsgrad``: ``Adam(lr=0.01, amsgrad=True, betas=(0.9, 0.5))`` →
  ``AMSGrad(beta2=0.5, bias_correction=True)`` (with β₂ = 0.5 the raw v falls
  along the path, so the running maximum changes the steps);
- ``maximize``: ``Adam(lr=0.01, maximize=True)`` → ``Adam`` fed −g;
- ``eps_1``: ``Adam(lr=0.01, eps=1.0)`` → ``Adam(eps=1.0)``.

``IMPLEMENTATION_DIFFERENCES[name]`` is max |θ_t − θ_t(loop)| over the 10
steps between the default for-loop (``_single_tensor_adam``, PyTorch's choice
for CPU tensors) and ``foreach=True``, ``fused=True`` or
``differentiable=True``. The differentiable path computes the bias
corrections from the step counter as a tensor, and that counter is float32
(unless the default dtype is float64): 1 − β₁ᵗ is rounded to float32, hence a
difference of order 1e-7 even for float64 parameters. ``capturable=True``
is refused on the CPU (it is meant for CUDA-graph capture).
"""

from __future__ import annotations

import numpy as np

TORCH_VERSION = '2.13.0+cpu'


#: the hyperparameters of the recorded runs
LR = 0.01
STEPS = 10
START = (-1.2, 1.0)
WEIGHT_DECAY = 0.5
#: β₂ of the amsgrad case
AMSGRAD_BETA2 = 0.5

#: torch.optim.Adam's defaults in this version (AdamW's weight decay too)
TORCH_DEFAULTS = {
    "lr": 1e-3,
    "betas": (0.9, 0.999),
    "eps": 1e-8,
    "weight_decay": 0,
    "adamw_weight_decay": 1e-2,
}

#: which implementation ``torch.optim.Adam`` picks for CPU tensors when neither
#: ``foreach`` nor ``fused`` is given (foreach is the default on CUDA only)
DEFAULT_PATH_ON_CPU = "_single_tensor_adam"

#: what ``Adam(capturable=True).step()`` does on CPU tensors in this version
CAPTURABLE_ON_CPU = "refused"

#: short excerpts of torch/optim/adam.py in this version (the for-loop path,
#: ``_single_tensor_adam``), quoted by the chapter; the test checks each line
#: is in the installed source
SOURCE_EXCERPTS = {
    "maximize": """
grad = grads[i] if not maximize else -grads[i]
""",
    "step": """
else torch.tensor(0.0, dtype=_get_scalar_dtype(), device="cpu")
step_t += 1
""",
    "paths": """
if fused and not torch.jit.is_scripting():
func = _fused_adam
elif foreach and not torch.jit.is_scripting():
func = _multi_tensor_adam
else:
func = _single_tensor_adam
""",
    "weight_decay": """
if weight_decay != 0:
if decoupled_weight_decay:
param.mul_(1 - lr * weight_decay)
else:
grad = grad.add(param, alpha=weight_decay)
""",
    "moments": """
exp_avg.lerp_(grad, 1 - device_beta1)
exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
""",
    "update": """
bias_correction1 = 1 - beta1**step
bias_correction2 = 1 - beta2**step
step_size = lr / bias_correction1
bias_correction2_sqrt = bias_correction2**0.5
if amsgrad:
torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
denom = (max_exp_avg_sqs[i].sqrt() / bias_correction2_sqrt).add_(eps)
else:
denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
param.addcdiv_(exp_avg, denom, value=-step_size)
""",
}

PATHS = {
    'default': [
        [-1.2, 1.0],
        [-1.1900000000004638, 1.0099999999988636],
        [-1.1800319627914446, 1.0199711121251558],
        [-1.1701205476626875, 1.029890618969127],
        [-1.1602930783503274, 1.0397329294796929],
        [-1.1505796078433999, 1.0494693827229704],
        [-1.1410129124329587, 1.0590680990092578],
        [-1.131628391143716, 1.0684939065063703],
        [-1.1224638452090965, 1.0777083775134324],
        [-1.1135591132180134, 1.0866700132124403],
        [-1.1049555420644475, 1.0953346172030314],
    ],
    'weight_decay': [
        [-1.2, 1.0],
        [-1.1900000000004625, 1.0099999999988571],
        [-1.1800318553283022, 1.0199708642493392],
        [-1.1701201288695808, 1.029889649003702],
        [-1.1602920259131353, 1.039730480384839],
        [-1.150577456278643, 1.0494643490876046],
        [-1.1410090260425458, 1.059058952696231],
        [-1.1316219353190402, 1.0684786146818093],
        [-1.122453757139255, 1.077684315572368],
        [-1.1135440734771067, 1.0866338767955652],
        [-1.104933948961289, 1.0952823394410942],
    ],
    'decoupled_weight_decay': [
        [-1.2, 1.0],
        [-1.1840000000004638, 1.0049999999988637],
        [-1.1681259528641137, 1.0099348949480795],
        [-1.152413427209618, 1.014772503392643],
        [-1.136902232682854, 1.0194758871574132],
        [-1.1216364340170308, 1.0240029705194755],
        [-1.1066641603801548, 1.028306292370164],
        [-1.0920371460093268, 1.0323329791375933],
        [-1.0778099437206843, 1.0360250440071073],
        [-1.0640387720031972, 1.0393201251811486],
        [-1.0507799918039382, 1.042152762788552],
    ],
    'AdamW': [
        [-1.2, 1.0],
        [-1.1840000000004638, 1.0049999999988637],
        [-1.1681259528641137, 1.0099348949480795],
        [-1.152413427209618, 1.014772503392643],
        [-1.136902232682854, 1.0194758871574132],
        [-1.1216364340170308, 1.0240029705194755],
        [-1.1066641603801548, 1.028306292370164],
        [-1.0920371460093268, 1.0323329791375933],
        [-1.0778099437206843, 1.0360250440071073],
        [-1.0640387720031972, 1.0393201251811486],
        [-1.0507799918039382, 1.042152762788552],
    ],
    'amsgrad': [
        [-1.2, 1.0],
        [-1.1900000000004638, 1.0099999999988636],
        [-1.1798852221021567, 1.0201065843236439],
        [-1.1695731883568052, 1.0303973316462867],
        [-1.1594403467716852, 1.0405416492458408],
        [-1.149697375668118, 1.0503252860227057],
        [-1.1404379365841129, 1.0596493934219366],
        [-1.1317004305200054, 1.0684699071158539],
        [-1.1234962320143922, 1.0767698154076528],
        [-1.1158230816211105, 1.0845459943822189],
        [-1.1086715837476646, 1.091802818054647],
    ],
    'maximize': [
        [-1.2, 1.0],
        [-1.2099999999995361, 0.9900000000011364],
        [-1.2200129251900997, 0.9799875171712434],
        [-1.2300469380406382, 0.9699548005832309],
        [-1.2401098041435201, 0.9598945644969308],
        [-1.2502088688099215, 0.9497999977631123],
        [-1.2603510460886658, 0.9396647623791294],
        [-1.2705428167862896, 0.929482984694572],
        [-1.2807902329176604, 0.9192492417697194],
        [-1.2910989266715613, 0.9089585446623863],
        [-1.301474122474142, 0.8986063198914772],
    ],
    'eps_1': [
        [-1.2, 1.0],
        [-1.1900461680517083, 1.0098876404494381],
        [-1.1801258096956901, 1.0197426480987961],
        [-1.1702632957821497, 1.0295426002034491],
        [-1.160485567422941, 1.0392623337652487],
        [-1.150822187976699, 1.048873775024728],
        [-1.141305326101404, 1.058345816832751],
        [-1.1319696477027121, 1.0676442699232824],
        [-1.122852093480928, 1.0767319192643505],
        [-1.113991519947074, 1.0855687203951936],
        [-1.1054281861969386, 1.0941121714287694],
    ],
}
IMPLEMENTATION_DIFFERENCES = {
    'foreach': 0.0,
    'fused': 0.0,
    'differentiable': 6.497084832357558e-07,
}

def package_path(case: str) -> np.ndarray:
    """θ₀, …, θ₁₀ of the package's counterpart of ``PATHS[case]`` (see the module docstring)."""
    from .functions import rosenbrock
    from .optimizers import Adam, AdamW, AMSGrad

    if case not in PATHS:
        raise ValueError(f"case must be one of {sorted(PATHS)}, got {case!r}")
    f, lam = rosenbrock(), WEIGHT_DECAY
    theta = np.array(START, dtype=np.float64)
    opt = {
        "default": lambda: Adam(lr=LR),
        "weight_decay": lambda: Adam(lr=LR),
        "decoupled_weight_decay": lambda: AdamW(lr=LR, weight_decay=lam, decay_scaled_by_lr=True),
        "AdamW": lambda: AdamW(lr=LR, weight_decay=lam, decay_scaled_by_lr=True),
        "amsgrad": lambda: AMSGrad(lr=LR, beta2=AMSGRAD_BETA2, bias_correction=True),
        "maximize": lambda: Adam(lr=LR),
        "eps_1": lambda: Adam(lr=LR, eps=1.0),
    }[case]()
    path = [theta.copy()]
    for _ in range(STEPS):
        g = f.grad(theta)
        if case == "weight_decay":
            g = g + lam * theta  # torch's weight_decay: L2, λθ added to the gradient
        if case == "maximize":
            g = -g  # torch's maximize: ascend f, i.e. descend −f
        opt.step(theta, g)
        path.append(theta.copy())
    return np.array(path)
